from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from advice_site.clients import client_ip, network_hash
from posts.models import Post

from . import ratelimit
from .forms import CommentForm, EditCommentForm, FlagForm
from .models import Comment
from .moderation import create_comment, delete_comment, edit_comment, flag_comment, is_blocked
from .rendering import render_comment
from .threads import comment_html, comment_url


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _refuse(request, status, message, *, post=None):
    """A clear refusal: JSON for the script, a styled page without it."""
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(
        request, "comments/refused.html", {"message": message, "post": post}, status=status
    )


def _published_post(post_id):
    # The article itself (body, HTML, headings) is not needed to take a comment.
    post = (
        Post.objects.published().defer("body", "body_html", "headings").filter(pk=post_id).first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def _within_rate_limits(request):
    seconds = settings.COMMENTS_RATE_LIMIT_SECONDS
    reader_ok = ratelimit.hit(
        f"comment:user:{request.user.pk}",
        limit=settings.COMMENTS_RATE_LIMIT_PER_READER,
        seconds=seconds,
    )
    ip_ok = ratelimit.hit(
        f"comment:ip:{network_hash(client_ip(request))}",
        limit=settings.COMMENTS_RATE_LIMIT_PER_IP,
        seconds=seconds,
    )
    return reader_ok and ip_ok


@require_POST
def post_comment(request, post_id):
    """Write a comment or a reply (the reply's parent comes in the form)."""
    post = _published_post(post_id)
    if not request.user.is_authenticated and not _wants_json(request):
        return redirect(f"{reverse('account_login')}?next={post.get_absolute_url()}%23comments")
    form = CommentForm(request.POST, post=post, user=request.user)
    if not form.permission:
        return _refuse(request, form.permission.status, form.permission.reason, post=post)
    if not form.is_valid():
        if form.is_honeypot_hit:
            return _refuse(request, 400, "Your comment could not be accepted.", post=post)
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return render(
            request,
            "comments/comment_form_page.html",
            {"post": post, "form": form, "parent": form.cleaned_data.get("parent")},
            status=400,
        )
    if not _within_rate_limits(request):
        minutes = max(1, settings.COMMENTS_RATE_LIMIT_SECONDS // 60)
        return _refuse(
            request,
            429,
            f"You are commenting too quickly. Please wait up to {minutes} minutes and try again; "
            "your text is still in the form.",
            post=post,
        )

    comment = create_comment(
        post=post,
        author=request.user,
        body=form.cleaned_data["body"],
        parent=form.cleaned_data["parent"],
        ip_hash=network_hash(client_ip(request)),
    )
    if _wants_json(request):
        html = comment_html(comment, post=post, viewer=request.user)
        return JsonResponse(
            {
                "id": comment.pk,
                "parent": comment.parent_id,
                "status": comment.status,
                "html": html,
                "url": comment_url(comment),
            },
            status=201,
        )
    return redirect(comment_url(comment), permanent=False)


@require_safe
@login_required
def reply(request, comment_id):
    """The reply form without JavaScript: the comment and a form under it."""
    parent = get_object_or_404(
        Comment.objects.approved().filter(is_removed=False, post__in=Post.objects.published()),
        pk=comment_id,
    )
    form = CommentForm(initial={"parent": parent.pk}, post=parent.post, user=request.user)
    if not form.permission:
        return _refuse(request, form.permission.status, form.permission.reason, post=parent.post)
    return render(
        request,
        "comments/comment_form_page.html",
        {"post": parent.post, "form": form, "parent": parent},
    )


def _own_comment(request, comment_id):
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=comment_id)
    if comment.author_id != request.user.pk or comment.is_removed:
        raise PermissionDenied("You can change only your own comments.")
    return comment


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, comment_id):
    comment = _own_comment(request, comment_id)
    if is_blocked(request.user):
        return _refuse(
            request,
            403,
            "Your account has been stopped from commenting by a moderator.",
            post=comment.post,
        )
    if not comment.is_editable_by(request.user):
        minutes = int(settings.COMMENTS_EDIT_WINDOW.total_seconds() // 60)
        return _refuse(
            request, 403, f"Comments can be edited for {minutes} minutes only.", post=comment.post
        )
    form = EditCommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST":
        if form.is_valid():
            edit_comment(comment=comment, body=form.cleaned_data["body"])
            return redirect(comment_url(comment))
        return render(request, "comments/edit.html", {"comment": comment, "form": form}, status=400)
    return render(request, "comments/edit.html", {"comment": comment, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, comment_id):
    comment = _own_comment(request, comment_id)
    if request.method == "POST":
        post = comment.post
        delete_comment(comment=comment)
        return redirect(f"{post.get_absolute_url()}#comments")
    return render(request, "comments/delete.html", {"comment": comment})


@login_required
@require_http_methods(["GET", "POST"])
def flag(request, comment_id):
    comment = get_object_or_404(
        Comment.objects.approved().filter(is_removed=False).select_related("post"), pk=comment_id
    )
    if comment.author_id == request.user.pk:
        return _refuse(request, 403, "You cannot flag your own comment.", post=comment.post)
    if is_blocked(request.user):
        return _refuse(
            request,
            403,
            "Your account has been stopped from commenting by a moderator.",
            post=comment.post,
        )
    form = FlagForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            created = flag_comment(
                comment=comment,
                user=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            message = (
                "Thank you: a moderator will look at this comment."
                if created
                else "You have already flagged this comment."
            )
            return render(
                request, "comments/flagged.html", {"comment": comment, "message": message}
            )
        return render(request, "comments/flag.html", {"comment": comment, "form": form}, status=400)
    return render(request, "comments/flag.html", {"comment": comment, "form": form})


@login_required
@require_POST
def preview(request):
    """The live preview: the comment exactly as it will be shown."""
    # Stripped as the comment form strips it, or leading spaces would preview as code.
    body = request.POST.get("body", "").strip()
    if len(body) > settings.COMMENTS_MAX_LENGTH:
        return HttpResponse("Too long to preview.", status=400, content_type="text/plain")
    return HttpResponse(render_comment(body))
