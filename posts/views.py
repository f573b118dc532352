from django.shortcuts import get_object_or_404, render

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
    return render(request, "posts/post_detail.html", {"post": post})
