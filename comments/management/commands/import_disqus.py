from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from comments.disqus import MOST_LISTED, DisqusImportError, import_disqus


class Command(BaseCommand):
    help = (
        "Import a Disqus XML export: threads are matched to posts by their address, old "
        "addresses (redirects) and other spellings of them, or their Disqus identifier; "
        "comments are approved and belong to no account. A thread closed or deleted on "
        "Disqus closes the post's discussion; a deleted thread's comments are imported "
        "rejected, as Disqus shows them to no one. Re-running skips what is imported."
    )
    # Most unmatched threads (and base-path matches) listed one by one; the rest counted.
    most_listed = MOST_LISTED

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
        for how, count in summary.matched_by.most_common():
            self.stdout.write(f"  matched {count} by {how}")
        for named, post in summary.by_base_path[: self.most_listed]:
            self.stdout.write(f"  matched by base path, to check: {named} → {post.permalink}")
        if summary.hidden:
            self.stdout.write(
                f"  hidden {summary.hidden}: imported rejected, their thread was deleted on Disqus"
            )
        if summary.hidden_earlier:
            self.stdout.write(
                f"  hidden {summary.hidden_earlier} imported earlier: rejected, their thread "
                "was deleted on Disqus"
            )
        for post, reason in summary.closed:
            self.stdout.write(f"  discussion closed on {post.permalink}: {reason}")
        for thread in summary.unmatched[: self.most_listed]:
            self.stdout.write(self.unmatched_line(thread))
        if len(summary.unmatched) > self.most_listed:
            self.stdout.write(
                f"  … and {len(summary.unmatched) - self.most_listed} more unmatched threads"
            )
        if summary.unmatched_empty:
            self.stdout.write(
                f"  {summary.unmatched_empty} unmatched threads without comments, not listed"
            )

    @staticmethod
    def unmatched_line(thread):
        """One line for an unmatched thread (disqus.Unmatched): its link (or identifier),
        title, the comments it holds and the closest post."""
        comments = ngettext("%(count)d comment", "%(count)d comments", thread.comments) % {
            "count": thread.comments
        }
        if thread.link or thread.identifier:
            named = thread.link or f"identifier {thread.identifier!r}"
        else:
            named = "no link, no identifier"
        title = f" “{thread.title}”" if thread.title else ""
        if thread.closest is None:
            closest = "no post is close"
        else:
            post = thread.closest.post
            closest = (
                f"closest post {post.permalink} “{post.title}” "
                f"(similarity {thread.closest.ratio:.2f})"
            )
        return f"  unmatched thread ({comments}): {named}{title}; {closest}"
