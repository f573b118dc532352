import re
from datetime import timedelta

from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.vary import vary_on_cookie

from checklists.page import checklist_for, note_visit, progress_by_post
from comments.models import with_comment_counts
from comments.page import discussion_for
from core.http import read_only, with_query_string
from posts.markdown import link_headings
from posts.models import BODY_FIELDS, Category, Post, is_permalink, normalize_permalink
from posts.previews import link_preview

from . import page_cache


def _summaries(request, posts):
    """Each post with the viewer's progress through it (a Counts, or None): [(post, ...)]."""
    posts = list(posts)
    progress = progress_by_post(request, posts)
    return [(post, progress.get(post.pk)) for post in posts]


def _until_next_publication(response):
    """``response``, marked ``no-store`` when a scheduled post becomes public before a
    stored copy would expire: a list kept past that moment would leave it out."""
    soon = timezone.now() + timedelta(seconds=page_cache.PAGE_SECONDS)
    upcoming = Post.objects.filter(
        status=Post.Status.PUBLISHED, published_at__gt=timezone.now(), published_at__lte=soon
    )
    if upcoming.exists():
        response["Cache-Control"] = "no-store"
    return response


@read_only
@vary_on_cookie
def post_list(request):
    """The Articles page, served from the page cache while no post, count or category
    it lists has changed (pages.page_cache, the ``lists`` generation; issue 23)."""

    def build():
        posts = with_comment_counts(
            Post.objects.published().defer(*BODY_FIELDS).prefetch_related("categories"),
            request.user,
        )
        response = render(
            request, "pages/post_list.html", {"summaries": _summaries(request, posts)}
        )
        return _until_next_publication(response)

    return page_cache.serve(request, build, scope=page_cache.LISTS)


@read_only
@vary_on_cookie
def category_detail(request, slug):
    """A category's page, cached as the Articles page is."""

    def build():
        category = get_object_or_404(Category, slug=slug)
        posts = with_comment_counts(
            category.posts.published().defer(*BODY_FIELDS).prefetch_related("categories"),
            request.user,
        )
        response = render(
            request,
            "pages/category_detail.html",
            {"category": category, "summaries": _summaries(request, posts)},
        )
        return _until_next_publication(response)

    return page_cache.serve(request, build, scope=page_cache.LISTS)


PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


def comments_page_number(request):
    """The page of comments asked for in ``?comments=`` (int, 1 without one).

    Raises BadRequest (answered 400) for anything but a positive number in ASCII digits.
    """
    value = request.GET.get("comments")
    if value is None:
        return 1
    if not PAGE_NUMBER.fullmatch(value):
        raise BadRequest("?comments= takes a page number such as 2.")
    return int(value)


@read_only
@vary_on_cookie
def post_detail(request, permalink):
    """A post with the viewer's checklist and the discussion, each asked of its own app.

    Served whole from the page cache while nothing it shows has changed (pages.page_cache).
    A reader's visit is noted first, so a view from the cache counts too.
    """
    if not is_permalink(normalize_permalink(permalink)):
        raise Http404("No such post.")  # and nothing to look up, in the cache or the database
    try:
        page_number = comments_page_number(request)
    except BadRequest:
        # Not a post's address (an old one, say): its 404 lets the redirect to the new
        # address keep the query string whatever it holds (issue 18).
        if (
            not Post.objects.visible_to(request.user)
            .filter(permalink=normalize_permalink(permalink))
            .exists()
        ):
            raise Http404("No such post.") from None
        raise
    note_visit(request)
    return page_cache.serve(
        request,
        lambda: _post_page(request, permalink, page_number),
        scope=page_cache.post(normalize_permalink(permalink)),
        variant=str(page_number),
    )


def _post_page(request, permalink, page_number):
    post = (
        Post.objects.visible_to(request.user)
        .prefetch_related("categories")
        .filter(permalink=normalize_permalink(permalink))
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    if request.path_info != post.permalink:
        # One address per post: /dl_advice and /dl_advice// answer with /dl_advice/.
        return redirect(with_query_string(request, post.permalink), permanent=True)
    discussion = discussion_for(request, post, page_number=page_number)
    checklist = checklist_for(request, post)
    response = render(
        request,
        "pages/post_detail.html",
        {
            "post": post,
            "checklist": checklist,
            "body": mark_safe(link_headings(checklist.body, post.headings)),
            "discussion": discussion,
            "preview": link_preview(post),
        },
    )
    if discussion.page_number != page_number:
        response["Cache-Control"] = "no-store"  # past the last page: not kept under this number
    return response
