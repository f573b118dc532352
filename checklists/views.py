import json

from django.db.models import Count, Q
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from modern_csrf.decorators import csrf_protect as cross_site_protect

from core.http import read_only, wants_json
from posts.models import BODY_FIELDS, Post

from .models import ChecklistItem, Tick
from .progress import (
    Counts,
    ItemState,
    progress_for,
    reader_progress,
    reset_progress,
    session_ticks,
    set_session_tick,
    set_tick,
)

TRUE_VALUES = {"true", "1", "on", "yes"}
FALSE_VALUES = {"false", "0", "off", "no"}


class BadRequest(Exception):
    pass


# A visitor's page is shared by every visitor (and by HTTP caches), so it cannot carry
# Django's per-visitor CSRF token. Ticks are refused when a browser says they come from
# another site instead: Sec-Fetch-Site, else Origin (django-modern-csrf, the algorithm of
# Go's CrossOriginProtection). Requests with neither header are not from a browser that
# a forged page could drive.
@csrf_exempt
@cross_site_protect
@require_POST
def set_item(request, item_id):
    """Set one item done or not done for the reader (or the visitor's session)."""
    item = (
        ChecklistItem.objects.current()
        .select_related("post")
        # What a tick needs; the article itself (body, HTML, headings) is left behind.
        .only("anchor", "reader_count", "post__permalink", "post__status", "post__published_at")
        .filter(pk=item_id)
        .first()
    )
    if item is None or not item.post.is_published:
        raise Http404("No such checklist item.")
    # A JSON body asks for a JSON answer unless the Accept header says otherwise.
    answer_json = wants_json(request, default=request.content_type == "application/json")
    try:
        done = _requested_state(request)
    except BadRequest as error:
        if answer_json:
            return JsonResponse({"error": str(error)}, status=400)
        return HttpResponseBadRequest(str(error))

    if request.user.is_authenticated:
        set_tick(user=request.user, item=item, done=done)  # item.reader_count kept current
    else:
        set_session_tick(session=request.session, item=item, done=done)

    if not answer_json:
        return redirect(item.get_absolute_url())
    if request.user.is_authenticated:
        progress = reader_progress(user=request.user, post_id=item.post_id)
    else:
        progress = progress_for(user=request.user, session=request.session, post=item.post)
    state = progress.by_anchor().get(item.anchor)
    # The reader's whole state on the post (issue 18), and the ticked item's on top.
    return JsonResponse(
        {
            "item": item.anchor,
            "done": done,
            "readers": state.readers if state else "",
            **progress.as_json(),
        }
    )


@require_http_methods(["GET", "POST"])
def reset(request, post_id):
    """Forget the reader's ticks on one post, after a confirmation page."""
    post = get_object_or_404(Post.objects.visible_to(request.user), pk=post_id)
    next_url = request.POST.get("next") or request.GET.get("next") or post.get_absolute_url()
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = post.get_absolute_url()
    if request.method == "POST":
        reset_progress(user=request.user, session=request.session, post=post)
        return redirect(next_url)
    progress = progress_for(user=request.user, session=request.session, post=post)
    return render(
        request,
        "checklists/reset_confirm.html",
        {"post": post, "progress": progress, "next": next_url},
    )


@read_only
def my_progress(request):
    """Every post the reader has ticked in, with their progress and when they ticked.

    A visitor sees theirs too, from their session, with the reason to log in or sign
    up: their ticks are kept in this browser only (issue 18: "All done! My progress"
    sent them to a bare log-in page).
    """
    if request.user.is_authenticated:
        ticks = [
            ItemState(item=tick.item, done=True, ticked_at=tick.ticked_at)
            for tick in Tick.objects.filter(user=request.user, item__archived_at__isnull=True)
            # item__post: each ticked item links to its heading in the post (no query per tick),
            # without the post's text (issue 23: 1,809 ticks read 18 MB of articles).
            .select_related("item__post")
            .defer(*(f"item__post__{field}" for field in BODY_FIELDS))
            .order_by("item__position")
        ]
    else:
        ticked = session_ticks(request.session)
        items = (
            ChecklistItem.objects.current()
            .filter(pk__in=ticked)
            .select_related("post")
            .defer(*(f"post__{field}" for field in BODY_FIELDS))
            if ticked
            else []
        )
        ticks = [ItemState(item=item, done=True, ticked_at=ticked[item.pk]) for item in items]
    by_post = {}
    for tick in ticks:
        by_post.setdefault(tick.item.post_id, []).append(tick)
    posts = (
        Post.objects.visible_to(request.user)
        .defer(*BODY_FIELDS)
        .filter(pk__in=by_post)
        .annotate(
            item_count=Count("checklist_items", filter=Q(checklist_items__archived_at__isnull=True))
        )
        if by_post
        else []
    )
    rows = [
        {
            "post": post,
            "ticks": by_post[post.pk],
            # The same Summary as the post page: one rounding rule for the percent.
            "progress": Counts(done_count=len(by_post[post.pk]), total=post.item_count),
        }
        for post in posts
    ]
    return render(request, "checklists/my_progress.html", {"rows": rows})


def _requested_state(request):
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"")
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise BadRequest("The request body is not valid JSON.") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("done"), bool):
            raise BadRequest('Send {"done": true} or {"done": false}.')
        return payload["done"]
    value = request.POST.get("done", "").strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise BadRequest("Say whether the item is done: done=true or done=false.")
