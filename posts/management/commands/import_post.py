from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from posts.importing import PostImportError, import_post
from posts.jekyll_site import JekyllSite, SiteError


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
        parser.add_argument(
            "--config",
            metavar="_config.yml",
            help="The Jekyll site's _config.yml: its permalink, baseurl, url, timezone and "
            "front matter defaults apply, as import_jekyll applies them, and the files "
            "the posts link to (in the config's folder) are copied into media.",
        )
        parser.add_argument(
            "--url",
            help="With --config: the old site's address, when _config.yml has no url.",
        )

    def handle(self, *args, files, force, config, url, **options):
        site = None
        if config is not None:
            try:
                site = JekyllSite.from_folder(Path(config).parent, config_path=config, url=url)
            except SiteError as error:
                raise CommandError(str(error)) from None
            # The site's other posts, so links and {% post_url %} find their addresses.
            site.index(site.discover()[0])
        elif url is not None:
            raise CommandError("--url goes with --config")
        failed = 0
        for name in files:
            try:
                result = import_post(Path(name), force=force, jekyll_site=site)
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
