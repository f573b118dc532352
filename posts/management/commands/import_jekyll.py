"""manage.py import_jekyll SITE_FOLDER: a whole Jekyll blog, as its author has it (issue 21)."""

import re
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import ngettext

from posts.assets import deferred_copies
from posts.importing import PostImportError, read_post, save_post_file
from posts.jekyll_site import JekyllSite, SiteError

# Kinds of warnings the summary counts, first match wins: (kind, pattern).
WARNING_KINDS = [
    ("unknown front matter key", r"unknown front matter key"),
    ("front matter key not used", r"front matter key '.*' ignored"),
    ("Liquid not rendered", r"(?i)liquid|\{%|\{\{"),
    ("link to nothing in the site", r"^link to "),
    ("file not copied", r"^file .* could not be copied"),
    ("file left out", r"left out(, as Jekyll does)?:"),
    ("site setting not applied", r"^(kramdown option|site setting)"),
    ("characters XML forbids", r"XML 1\.0 forbids"),
    ("post made a draft", r"is now a draft"),
    ("address not kept", r"^address .* cannot be kept here"),
    ("preview image not found", r"front matter image"),
    ("heading id", r"(?i)\bid\b"),
]


def warning_kind(text):
    """The kind (str) a warning is counted under in the summary."""
    for kind, pattern in WARNING_KINDS:
        if re.search(pattern, text):
            return kind
    return "other"


class Command(BaseCommand):
    help = (
        "Import a Jekyll site: the posts of every _posts folder (categories from the "
        "folders above it), _drafts as drafts, with _config.yml's permalink, baseurl, url, "
        "timezone and front matter defaults; the files posts link to are copied into "
        "media. Each post keeps the address Jekyll gave it (settings.JEKYLL_ADDRESSES). "
        "Idempotent, and a post edited in admin since its last import is kept, unless "
        "--force. Nothing is written unless every post can be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("site_folder", metavar="SITE_FOLDER")
        parser.add_argument(
            "--config",
            metavar="FILE",
            help="The site's _config.yml, when not SITE_FOLDER/_config.yml.",
        )
        parser.add_argument(
            "--url",
            help="The old site's address (https://user.github.io), when _config.yml has no "
            "url (GitHub Pages fills it in): links to it and the feed's entry ids use it.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Take each file even where its post was edited in admin since the last import.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check the whole site and print what the import would do, "
            "writing nothing (no post, no redirect, no file in media).",
        )

    def handle(self, *args, site_folder, config, url, force, dry_run, **options):
        try:
            site = JekyllSite.from_folder(site_folder, config_path=config, url=url)
        except SiteError as error:
            raise CommandError(str(error)) from None
        sources, notes = site.discover()
        if not sources:
            raise CommandError(
                f"{site_folder}: no posts found: a Jekyll site keeps them in _posts/ "
                "(and drafts in _drafts/), as YYYY-MM-DD-title.md files"
            )
        site.index(sources)
        errors = [(source.relative, source.error) for source in sources if source.error]
        found = []
        with deferred_copies() as plan:
            for source in site.posts:
                try:
                    found.append((source, read_post(source.path, jekyll_site=site, source=source)))
                except PostImportError as error:
                    errors.append((source.relative, str(error)))
            if errors:
                for name, error in errors:
                    self.stderr.write(f"{name}: {error}")
                files = ngettext("file", "files", len(sources))
                raise CommandError(
                    f"{len(errors)} of {len(sources)} {files} could not be imported, so "
                    "nothing was: fix them (or move them out of the site) and run the "
                    "import again"
                )
            results, source = [], None
            try:
                copied = plan.count_new() if dry_run else plan.write()
                with transaction.atomic():
                    for source, post_file in found:
                        results.append(
                            (source, save_post_file(post_file, source.path, force=force))
                        )
                    if dry_run:
                        transaction.set_rollback(True)
            except PostImportError as error:
                plan.take_back()
                raise CommandError(f"{source.relative}: {error}; nothing was imported") from None
            except OSError as error:
                plan.take_back()
                raise CommandError(f"files could not be copied into media: {error}") from None
        self._report(site, site_folder, results, notes, copied, len(plan.pending), dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")

    def _report(self, site, site_folder, results, notes, copied, linked, dry_run=False):
        warnings = Counter()
        for note in [*site.site_warnings, *notes]:
            self.stderr.write(self.style.WARNING(f"warning: {note}"))
            warnings[warning_kind(note)] += 1
        actions = Counter()
        for source, result in results:
            for warning in result.warnings:
                self.stderr.write(self.style.WARNING(f"{source.relative}: warning: {warning}"))
                warnings[warning_kind(warning)] += 1
            line = result.describe(source.relative)
            self.stdout.write(self.style.WARNING(line) if result.action == "kept" else line)
            actions[result.action] += 1
        imported = actions["created"] + actions["updated"]
        drafts = sum(1 for source, _ in results if source.kind == "drafts")
        self.stdout.write(
            f"Summary for {site_folder}: {len(results)} posts ({drafts} drafts): "
            f"{imported} imported ({actions['created']} new, {actions['updated']} updated), "
            f"{actions['unchanged']} unchanged, {actions['kept']} kept as edited in admin."
        )
        self.stdout.write(
            f"Files: {linked} linked from posts, {copied} "
            f"{'to copy' if dry_run else 'copied'} into media "
            f"({linked - copied} already there)."
        )
        if warnings:
            total = sum(warnings.values())
            kinds = ", ".join(f"{count} {kind}" for kind, count in warnings.most_common())
            self.stdout.write(f"Warnings: {total} ({kinds}).")
        else:
            self.stdout.write("Warnings: none.")
