"""The comments app's part of a post page: its entry point for the post page's view
(the Articles and category pages take their counts from comments.models.with_comment_counts)."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from posts.models import Post

from .forms import CommentForm
from .models import with_comment_counts
from .rules import standing_of
from .threads import page_of_threads, threads_html


@dataclass(frozen=True)
class Discussion:
    """What the post page shows of its discussion: ``count`` (int), the comments whose
    text the viewer may read, all pages together (issue 11); ``html`` (safe str), the
    whole comments section; ``page_number`` (int), the page of threads shown."""

    count: int
    html: SafeString
    page_number: int


def discussion_for(request, post, *, page_number=1):
    """The discussion of ``post`` (a Post) as ``request.user`` sees it, on page
    ``page_number`` (int, from 1; a page past the last shows the last)."""
    viewer = request.user
    # Read once for the form and for the links on every comment.
    standing = standing_of(viewer) if viewer.is_authenticated else None
    threads, page = page_of_threads(post=post, viewer=viewer, page_number=page_number)
    # The same count as the Articles page's, from one definition (issue 18).
    count = (
        with_comment_counts(Post.objects.filter(pk=post.pk), viewer)
        .values_list("comment_count", flat=True)
        .get()
    )
    form = CommentForm(post=post, user=viewer, standing=standing)
    html = render_to_string(
        "comments/includes/section.html",
        {
            "post": post,
            "count": count,
            "threads": threads_html(threads, post=post, viewer=viewer, standing=standing),
            "page": page,
            "permission": form.permission,
            "comment_form": form,
        },
        request=request,
    )
    return Discussion(count=count, html=SafeString(html), page_number=page.number)
