from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render

from checklists.progress import progress_for
from checklists.rendering import interactive_body

from .models import Category, Post, normalize_permalink


def post_list(request):
    posts = Post.objects.published().prefetch_related("categories")
    return render(request, "posts/post_list.html", {"posts": posts})


def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    posts = category.posts.published().prefetch_related("categories")
    return render(request, "posts/category_detail.html", {"category": category, "posts": posts})


def post_detail(request, permalink):
    post = get_object_or_404(
        Post.objects.visible_to(request.user).prefetch_related("categories"),
        permalink=normalize_permalink(permalink),
    )
    progress = progress_for(user=request.user, session=request.session, post=post)
    body = interactive_body(post.body_html, progress, get_token(request))
    return render(
        request, "posts/post_detail.html", {"post": post, "progress": progress, "body": body}
    )
