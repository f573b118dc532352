from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("posts/<int:post_id>/", views.post_comment, name="post"),
    path("preview/", views.preview, name="preview"),
    path("<int:comment_id>/reply/", views.reply, name="reply"),
    path("<int:comment_id>/edit/", views.edit, name="edit"),
    path("<int:comment_id>/delete/", views.delete, name="delete"),
    path("<int:comment_id>/flag/", views.flag, name="flag"),
    path("<int:comment_id>/decide/<str:decision>/<str:token>/", views.decide, name="decide"),
]
