import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.names import name_taken
from core.clients import client_ip, network_hash
from core.http import read_only, wants_json
from core.text import duration_words
from posts.models import Post

from . import decisions, ratelimit
from .forms import CommentForm, EditCommentForm, FlagForm
from .models import Comment, Flag, discussion_url
from .moderation import (
    create_comment,
    decide_from_link,
    delete_comment,
    edit_comment,
    flag_comment,
)
from .notifications import waiting_reason
from .rendering import render_comment
from .rules import Action, can_moderate, may_act_on
from .screening import Refused
from .threads import comment_html


def _refuse(request, status, message, *, post=None, login_url=None):
    """A clear refusal: JSON for the script, a styled page without it. A refused POST
    that carried a comment's text gives the text back on the page, to copy (issue 18:
    without JavaScript it was lost)."""
    if wants_json(request):
        return JsonResponse({"error": message}, status=status)
    # A comment's text, or a flag's note.
    text = request.POST.get("body") or request.POST.get("note") or ""
    return render(
        request,
        "comments/refused.html",
        {"message": message, "post": post, "text": text, "login_url": login_url},
        status=status,
    )


def _refusal(request, permission, comment):
    """The refusal of a comments.rules.CommentPermission: 404 for a comment the reader
    may not see (nothing about it is shown but the reader's own text, if they sent
    some), else its status and reason."""
    if permission.status == 404:
        if request.method == "POST" and request.POST.get("body") and not wants_json(request):
            return _refuse(request, 404, permission.reason)
        raise Http404(permission.reason)
    return _refuse(request, permission.status, permission.reason, post=comment.post)


def _comment_for(request, comment_id, action):
    """(Comment, None) when ``request.user`` may take ``action`` on the comment, else
    (Comment or None, the refusal's HttpResponse). The rule is comments.rules.may_act_on,
    the same that offers the links on the page."""
    comment = get_object_or_404(
        Comment.objects.select_related("post", "author").defer(
            "post__body", "post__body_html", "post__headings"
        ),
        pk=comment_id,
    )
    permission = may_act_on(request.user, comment, action)
    if not permission:
        return comment, _refusal(request, permission, comment)
    return comment, None


def _published_post(post_id):
    # The article itself (body, HTML, headings) is not needed to take a comment.
    post = (
        Post.objects.published().defer("body", "body_html", "headings").filter(pk=post_id).first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def _within_rate_limits(request):
    return ratelimit.hit_all(
        {
            f"comment:user:{request.user.pk}": settings.COMMENTS_RATE_LIMIT_PER_READER,
            f"comment:ip:{network_hash(client_ip(request))}": settings.COMMENTS_RATE_LIMIT_PER_IP,
        },
        seconds=settings.COMMENTS_RATE_LIMIT_SECONDS,
    )


@require_POST
def post_comment(request, post_id):
    """Write a comment or a reply (the reply's parent comes in the form)."""
    post = _published_post(post_id)
    if not request.user.is_authenticated and not wants_json(request):
        login_url = f"{reverse('account_login')}?next={post.get_absolute_url()}%23comments"
        if request.POST.get("body", "").strip():
            # Logged out while writing (the session ended): the text back, then log in.
            return _refuse(
                request,
                403,
                "You are no longer logged in, so your comment was not posted. Copy your "
                "text, log in, and post it again.",
                post=post,
                login_url=login_url,
            )
        return redirect(login_url)
    form = CommentForm(request.POST, post=post, user=request.user)
    if not form.permission:
        return _refuse(request, form.permission.status, form.permission.reason, post=post)
    if not form.is_valid():
        if form.is_honeypot_hit:
            return _refuse(request, 400, "Your comment could not be accepted.", post=post)
        if wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return _form_page(request, post, form, status=400)
    if not _within_rate_limits(request):
        wait = ratelimit.seconds_left(settings.COMMENTS_RATE_LIMIT_SECONDS)
        # Whole minutes are easier to read; the header keeps the exact seconds.
        shown = wait if wait < 60 else math.ceil(wait / 60) * 60
        message = (
            f"You are commenting too quickly. Please wait {duration_words(shown)} and try "
            "again; your text is still in the form."
        )
        if wants_json(request):
            response = _refuse(request, 429, message, post=post)
        else:  # the form again, with the text (issue 18)
            response = _form_page(request, post, form, status=429, message=message)
        response["Retry-After"] = str(wait)
        return response

    refusal = _name_taken_by_another_commenter(request.user, form.standing)
    if refusal:
        if wants_json(request):
            return _refuse(request, 409, refusal, post=post)
        return _form_page(request, post, form, status=409, message=refusal)

    try:
        comment = create_comment(
            post=post,
            author=request.user,
            body=form.cleaned_data["body"],
            parent=form.cleaned_data["parent"],
            ip_hash=network_hash(client_ip(request)),
            standing=form.standing,
        )
    except Refused as refused:  # a moderation rule's message (issue 27), the text kept
        if wants_json(request):
            return _refuse(request, 400, refused.message, post=post)
        return _form_page(request, post, form, status=400, message=refused.message)
    # Where the comment lives: a new thread goes after the last one, maybe on a later page
    # than the one it was written on (issue 18).
    page_number = comment.page_number()
    url = discussion_url(post, page_number, comment.anchor)
    if wants_json(request):
        # For the page's script, which puts the comment where it belongs, or says on which
        # page it is when that is not the page shown.
        html = comment_html(comment, post=post, viewer=request.user, standing=form.standing)
        return JsonResponse(
            {
                "id": comment.pk,
                "parent": comment.parent_id,
                "status": comment.status,
                "html": html,
                "page": page_number,
                "url": url,
            },
            status=201,
        )
    return redirect(url, permanent=False)


def _name_taken_by_another_commenter(user, standing):
    """Why ``user``'s first comment may not be posted under their name, or "".

    The name rule (accounts.names.name_taken) refuses another commenter's name, or a
    look-alike, when a name is chosen; two readers who had not commented then could
    still choose look-alikes. The first of them to comment keeps the name: the second
    is asked to choose another before their first comment (issue 18). One query, for a
    reader's first comment only.
    """
    if standing is None or standing.has_commented or user.is_staff or not user.display_name:
        return ""
    taken = name_taken(user.display_name, user=user)
    if taken is None:
        return ""
    return (
        f"Another reader already comments as “{taken[0]}”, which looks like your display "
        "name. Choose another display name on your account page, then post your comment; "
        "your text is still in the form."
    )


def _form_page(request, post, form, *, status, message=""):
    """The comment form (a bound CommentForm) on a page of its own, with the reader's
    text and what went wrong: an error in the form, or ``message`` (str)."""
    parent = form.cleaned_data.get("parent") if hasattr(form, "cleaned_data") else None
    return render(
        request,
        "comments/comment_form_page.html",
        {"post": post, "form": form, "parent": parent, "message": message},
        status=status,
    )


@read_only
@login_required
def reply(request, comment_id):
    """The reply form without JavaScript: the comment and a form under it."""
    parent, refusal = _comment_for(request, comment_id, Action.REPLY)
    if refusal:
        return refusal
    form = CommentForm(initial={"parent": parent.pk}, post=parent.post, user=request.user)
    return render(
        request,
        "comments/comment_form_page.html",
        {"post": parent.post, "form": form, "parent": parent},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, comment_id):
    """The author changes their comment's text: see moderation.edit_comment for when the
    change waits for a moderator."""
    comment, refusal = _comment_for(request, comment_id, Action.EDIT)
    if refusal:
        return refusal
    form = EditCommentForm(request.POST or None, initial={"body": comment.latest_body})
    if request.method == "POST":
        if form.is_valid():
            try:
                edit_comment(comment=comment, body=form.cleaned_data["body"])
            except Refused as refused:  # a moderation rule's message (issue 27)
                form.add_error("body", refused.message)
            else:
                return redirect(comment.page_url())
        return render(request, "comments/edit.html", {"comment": comment, "form": form}, status=400)
    return render(request, "comments/edit.html", {"comment": comment, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, comment_id):
    comment, refusal = _comment_for(request, comment_id, Action.DELETE)
    if refusal:
        return refusal
    if request.method == "POST":
        # Back to the page of threads it was on (issue 18: with a message saying so).
        back = discussion_url(comment.post, comment.page_number(request.user))
        delete_comment(comment=comment)
        messages.success(request, "Your comment is deleted.")
        return redirect(back)
    return render(request, "comments/delete.html", {"comment": comment})


ALREADY_FLAGGED = "You have already flagged this comment: a moderator will look at it."


@login_required
@require_http_methods(["GET", "POST"])
def flag(request, comment_id):
    """A reader flags a comment once (issue 18): a second flag is refused with 409
    Conflict, and the form is not offered again; both say it is already flagged."""
    comment, refusal = _comment_for(request, comment_id, Action.FLAG)
    if refusal:
        return refusal
    if Flag.objects.filter(comment=comment, user=request.user).exists():
        return _already_flagged(request, comment)
    form = FlagForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            created = flag_comment(
                comment=comment,
                user=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            if not created:  # flagged from another tab meanwhile
                return _already_flagged(request, comment)
            message = "Thank you: a moderator will look at this comment."
            return render(
                request, "comments/flagged.html", {"comment": comment, "message": message}
            )
        return render(request, "comments/flag.html", {"comment": comment, "form": form}, status=400)
    return render(request, "comments/flag.html", {"comment": comment, "form": form})


def _already_flagged(request, comment):
    # 409 refuses a second flag; the page that would offer one just says so.
    return render(
        request,
        "comments/flagged.html",
        {"comment": comment, "message": ALREADY_FLAGGED},
        status=409 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def preview(request):
    """The live preview: the comment exactly as it will be shown."""
    # Stripped as the comment form strips it, or leading spaces would preview as code.
    body = request.POST.get("body", "").strip()
    if len(body) > settings.COMMENTS_MAX_LENGTH:
        return HttpResponse("Too long to preview.", status=400, content_type="text/plain")
    return HttpResponse(render_comment(body))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def decide(request, comment_id, decision, token):
    """A decision from a link in the moderators' digest (comments.decisions, issue 27).

    GET shows the comment, what the link decides and its button, and changes nothing;
    the button's POST decides. A comment that no longer awaits a moderator is not decided
    again: the page says who decided it. 400 for an altered link (or one made for another
    comment or decision), 410 for an expired one, 403 for a reader who may not moderate,
    404 for a comment that no longer exists. Logged out, the moderator logs in first and
    comes back (login_required)."""
    try:
        chosen = decisions.checked_decision(comment_id, decision, token)
    except decisions.InvalidLink as invalid:
        return _refuse(request, invalid.status, invalid.message)
    if not can_moderate(request.user):
        return _refuse(
            request,
            403,
            "Only moderators can decide on comments, and this account may not moderate. "
            "Log in with the account the email was sent to.",
        )
    decided = False
    if request.method == "POST":
        comment, decided = decide_from_link(
            comment_id=comment_id,
            decision=chosen,
            moderator=request.user,
            reason=request.POST.get("reason", ""),
        )
    else:
        comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        return _refuse(request, 404, "This comment no longer exists: it was deleted.")
    context = {
        "comment": comment,
        "decision": chosen,
        "decided": decided,
        "awaiting": not decided and decisions.awaits_moderation(comment.pk),
        "waiting_reason": waiting_reason(comment),
        "admin_url": reverse("admin:comments_comment_change", args=[comment.pk]),
        "queue_url": reverse("admin:comments_comment_changelist"),
    }
    return render(request, "comments/decide.html", context)
