from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from posts.importing import PostImportError, import_post


class Command(BaseCommand):
    help = (
        "Import Jekyll-style Markdown files (YAML front matter and body) as posts. "
        "A file that has not changed since its last import is skipped; a post edited in "
        "admin since then is kept as it is, with one line saying so, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Take each file even where its post was edited in admin since the last "
            "import (the admin's version stays in the post's history), or was imported "
            "from another file that asks for the same address.",
        )

    def handle(self, *args, files, force, **options):
        failed = 0
        for name in files:
            try:
                result = import_post(Path(name), force=force)
            except PostImportError as error:
                failed += 1
                self.stderr.write(f"{name}: {error}")
                continue
            for warning in result.warnings:
                self.stderr.write(self.style.WARNING(f"{name}: warning: {warning}"))
            line = result.describe(name)
            self.stdout.write(self.style.WARNING(line) if result.action == "kept" else line)
        if failed:
            files_word = ngettext("file", "files", len(files))
            raise CommandError(f"{failed} of {len(files)} {files_word} could not be imported")
