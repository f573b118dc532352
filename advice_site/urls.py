from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from core import health, views
from core.http import read_only
from posts import editor_views, media_views
from posts.feeds import LatestPostsFeed, conditional_feed
from posts.sitemaps import CategorySitemap, PostSitemap, StaticSitemap

# Django's admin login form counts no failed attempts. Staff log in through allauth's
# form like everyone else (allauth's documented secure_admin_login), so one mechanism
# limits every login: ACCOUNT_RATE_LIMITS' login_failed, per address and per account.
admin.site.login = secure_admin_login(admin.site.login)

sitemaps = {"home": StaticSitemap, "posts": PostSitemap, "categories": CategorySitemap}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("", include("checklists.urls")),
    path("comments/", include("comments.urls")),
    path("editor/markdownify/", editor_views.markdownify, name="editor_markdownify"),
    path("editor/upload/", editor_views.upload_image, name="editor_upload"),
    # Read-only: GET and HEAD, 405 for anything else (core.http.read_only).
    path("feed/", read_only(conditional_feed(LatestPostsFeed())), name="feed"),
    path(
        "sitemap.xml",
        read_only(conditional_feed(sitemap)),
        {"sitemaps": sitemaps},
        name="sitemap",
    ),
    path(
        "robots.txt",
        read_only(
            TemplateView.as_view(
                template_name="robots.txt", content_type="text/plain; charset=utf-8"
            )
        ),
        name="robots",
    ),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("media/<path:path>", media_views.uploaded_file, name="media"),
    path("", include("pages.urls")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler429 = "core.views.too_many_requests"
handler500 = "core.views.server_error"
