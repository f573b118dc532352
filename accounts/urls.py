from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("name/", views.change_display_name, name="display_name"),
    path("notifications/", views.change_notifications, name="notifications"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
]
