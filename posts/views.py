from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from checklists.progress import progress_for
from checklists.rendering import interactive_body
from comments.forms import CommentForm
from comments.threads import discussion
from comments.views import commenter_facts, why_cannot_comment

from . import page_cache
from .models import Category, Post, normalize_permalink


@require_safe
def post_list(request):
    posts = Post.objects.published().with_comment_counts().prefetch_related("categories")
    return render(request, "posts/post_list.html", {"posts": posts})


@require_safe
def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    posts = category.posts.published().with_comment_counts().prefetch_related("categories")
    return render(request, "posts/category_detail.html", {"category": category, "posts": posts})


@require_safe
def post_detail(request, permalink):
    cacheable = page_cache.is_cacheable(request)
    if cacheable:
        response = page_cache.cached_response(request)
        if response is not None:
            return response

    found = page_cache.post_and_items(normalize_permalink(permalink), request)
    if found is None or not (found[0].is_published or request.user.is_staff):
        raise Http404("No such post.")
    post, items = found
    if request.path_info != post.permalink:
        # One address per post: /dl_advice and /dl_advice// answer with /dl_advice/.
        query = request.META.get("QUERY_STRING")
        return redirect(post.permalink + (f"?{query}" if query else ""), permanent=True)
    cacheable = cacheable and post.is_published
    comments_page = request.GET.get("comments", "1")
    comments_page = int(comments_page) if comments_page.isdigit() else 1
    progress = progress_for(user=request.user, session=request.session, post=post, items=items)
    csrf_token = page_cache.CSRF_PLACEHOLDER if cacheable else get_token(request)
    facts = commenter_facts(request.user, post)
    refusal = why_cannot_comment(request.user, post, facts)
    context = {
        "post": post,
        "progress": progress,
        "body": interactive_body(post.body_html, progress, csrf_token),
        "discussion": discussion(
            post=post,
            user=request.user,
            page_number=comments_page,
            has_own_comments=facts["commented"],
            content_version=page_cache.content_version(request),
        ),
        "content_version": page_cache.content_version(request),
        "comment_form": CommentForm(post=post),
        "comment_refusal": refusal[1] if refusal else None,
    }
    if cacheable:
        context["csrf_token"] = csrf_token  # every form's token, as the placeholder
    response = render(request, "posts/post_detail.html", context)
    if cacheable:
        html = response.content.decode()
        # A reader's own comments carry "Edit" links that expire after a few minutes.
        page_cache.put(request, html, timeout=60 if facts["commented"] else None)
        response.content = html.replace(page_cache.CSRF_PLACEHOLDER, get_token(request))
    return response
