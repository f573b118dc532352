from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.post_list, name="list"),
    # <str:slug>: category slugs keep letters of any script (Category.slug_for).
    path("categories/<str:slug>/", views.category_detail, name="category"),
    # Posts live at their own permalinks, so this catch-all must be the last route.
    path("<path:permalink>", views.post_detail, name="detail"),
]
