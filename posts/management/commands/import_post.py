from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from posts.importing import PostImportError, import_post


class Command(BaseCommand):
    help = (
        "Import Jekyll-style Markdown files (YAML front matter and body) as posts. "
        "A file whose permalink matches an existing post updates it."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **options):
        failed = 0
        for name in files:
            try:
                result = import_post(Path(name))
            except PostImportError as error:
                failed += 1
                self.stderr.write(f"{name}: {error}")
                continue
            for warning in result.warnings:
                self.stderr.write(self.style.WARNING(f"{name}: warning: {warning}"))
            self.stdout.write(
                f"{name}: {result.action} {result.post.permalink} ({result.post.title})"
            )
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) could not be imported")
