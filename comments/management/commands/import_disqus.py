from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

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
        self.stdout.write(
            f"{file}: {summary.threads_matched} of {summary.threads} threads matched to posts; "
            f"{summary.imported} comments imported; {sum(summary.skipped.values())} skipped"
        )
        for reason, count in summary.skipped.most_common():
            self.stdout.write(f"  skipped {count}: {reason}")
