from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from comments.disqus import DisqusImportError, import_disqus


class Command(BaseCommand):
    help = (
        "Import a Disqus XML export: threads are matched to posts by URL or permalink, "
        "comments are approved and belong to no account. Re-running skips what is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.xml")

    def handle(self, *args, file, **options):
        def progress(done, total):
            self.stderr.write(f"… {done} of {total} comments processed")

        try:
            summary = import_disqus(Path(file), progress=progress)
        except DisqusImportError as error:
            raise CommandError(f"{file}: {error}") from None
        imported = ngettext(
            "%(count)d comment imported", "%(count)d comments imported", summary.imported
        ) % {"count": summary.imported}
        placeholders = ngettext(
            "%(count)d deleted or spam on Disqus kept as a placeholder for its replies",
            "%(count)d deleted or spam on Disqus kept as placeholders for their replies",
            summary.placeholders,
        ) % {"count": summary.placeholders}
        self.stdout.write(
            f"{file}: {summary.threads_matched} of {summary.threads} threads matched to posts; "
            f"{imported}; {placeholders}; {sum(summary.skipped.values())} skipped"
        )
        for reason, count in summary.skipped.most_common():
            self.stdout.write(f"  skipped {count}: {reason}")
