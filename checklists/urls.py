from django.urls import path

from . import views

app_name = "checklists"

urlpatterns = [
    path("checklists/items/<int:item_id>/", views.set_item, name="set"),
    path("checklists/posts/<int:post_id>/reset/", views.reset, name="reset"),
    path("progress/", views.my_progress, name="my_progress"),
]
