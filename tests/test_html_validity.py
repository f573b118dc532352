"""Every page a reader, commenter or editor reaches is valid HTML: 0 errors from the Nu HTML
Checker (vnu-jar from npm, pinned in package-lock.json; it needs a Java runtime, Debian's
default-jre-headless). All pages are checked in one run of the checker, which takes a few
seconds to start. Without Java or `npm ci` the test is skipped on a developer's machine
and fails under CI=true."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.comments.conftest import add_comment, make_moderator
from tests.conftest import make_post, make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PASSWORD = "a-long-enough-password"


def java():
    return shutil.which("java")


def require_checker():
    missing = [
        what
        for what, ok in [
            ("a Java runtime (apt-get install -y default-jre-headless)", java()),
            ("vnu-jar (npm ci)", VNU_JAR.exists()),
        ]
        if not ok
    ]
    if not missing:
        return
    message = "The Nu HTML Checker needs " + " and ".join(missing)
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def pages():
    """(name, client, path) for every page type a person reaches, with the data they
    show: a post with categories, checklist progress, approved, pending and replied
    comments, and each allauth page."""
    from posts.history import versions_of
    from posts.models import Category

    category = Category.objects.create(name="Deep Learning", slug="deep-learning")
    # An author and a preview image: the page's meta tags and JSON-LD (issue 21).
    post = make_post(
        categories=[category], author="Ann Author", image="/media/imported/a/cover.png"
    )
    # Issue 22: a later edit, so the restore page of the first version shows changes.
    first_version = versions_of(post).first()
    post.body = post.body.replace("Intro.", "Intro, *edited* later.") + "\nA new paragraph.\n"
    post.save()
    reader = make_user(display_name="Rita Reader")
    commenter = make_user(email="commenter@example.com", display_name="Carla Commenter")
    editor = make_user(email="editor@example.com", is_staff=True, is_superuser=True)
    make_moderator()
    EmailAddress.objects.update_or_create(
        user=reader, email=reader.email, defaults={"primary": True, "verified": False}
    )
    item = post.checklist_items.first()
    visitor = Client()
    reader_client = logged_in(reader)
    commenter_client = logged_in(commenter)
    editor_client = logged_in(editor)

    reader_client.post(reverse("checklists:set", args=[item.pk]), {"done": "true"})
    parent = add_comment(post, reader, "A *first* comment with `code`.")
    add_comment(post, commenter, "A reply.", parent=parent)
    pending = add_comment(post, commenter, "Awaiting a moderator.", status="pending")
    own = add_comment(post, commenter, "My own words.")
    # Issue 11: an edit awaiting moderation (the commenter is not trusted yet), deleted
    # and flagged placeholders over replies, a right-to-left name.
    commenter_client.post(reverse("comments:edit", args=[own.pk]), {"body": "My *new* words."})
    assert Comment.objects.get(pk=own.pk).pending_body
    deleted = add_comment(post, None, "", is_removed=True)
    add_comment(post, reader, "Under a deleted one.", parent=deleted)
    flagged = add_comment(post, reader, "Hidden by flags.", hidden_by_flags=True)
    add_comment(post, commenter, "Under a hidden one.", parent=flagged)
    add_comment(post, make_user(email="rtl@example.com", display_name="אבי כהן"), "שלום")

    reset_key = f"{user_pk_to_url_str(reader)}-{default_token_generator.make_token(reader)}"
    return [
        ("post list", visitor, "/"),
        ("category", visitor, f"/categories/{category.slug}/"),
        ("post page, visitor", visitor, post.get_absolute_url()),
        ("post page, commenter", commenter_client, post.get_absolute_url()),
        ("post page, editor", editor_client, post.get_absolute_url()),
        ("my progress", reader_client, reverse("checklists:my_progress")),
        ("reset progress", reader_client, reverse("checklists:reset", args=[post.pk])),
        ("account", reader_client, reverse("accounts:account")),
        ("delete account", reader_client, reverse("accounts:delete")),
        ("reply form", commenter_client, reverse("comments:reply", args=[parent.pk])),
        ("edit comment", commenter_client, reverse("comments:edit", args=[own.pk])),
        ("delete comment", commenter_client, reverse("comments:delete", args=[own.pk])),
        ("flag comment", commenter_client, reverse("comments:flag", args=[parent.pk])),
        ("pending comment edit", commenter_client, reverse("comments:edit", args=[pending.pk])),
        ("404", visitor, "/no-such-page/"),
        # allauth
        ("log in", visitor, reverse("account_login")),
        ("sign up", visitor, reverse("account_signup")),
        ("password reset", visitor, reverse("account_reset_password")),
        ("password reset sent", visitor, reverse("account_reset_password_done")),
        (
            "password reset form",
            visitor,
            reverse("account_reset_password_from_key", args=["UID", "KEY"]).replace(
                "UID-KEY", reset_key
            ),
        ),
        ("password reset done", visitor, reverse("account_reset_password_from_key_done")),
        ("enter the email code", reader_client, reverse("account_email_verification_sent")),
        ("inactive account", visitor, reverse("account_inactive")),
        ("email addresses", reader_client, reverse("account_email")),
        ("change password", reader_client, reverse("account_change_password")),
        ("log out", reader_client, reverse("account_logout")),
        ("reauthenticate", reader_client, reverse("account_reauthenticate")),
        ("social connections", reader_client, reverse("socialaccount_connections")),
        ("social login cancelled", visitor, reverse("socialaccount_login_cancelled")),
        ("social login error", visitor, reverse("socialaccount_login_error")),
        # the editor
        ("admin post editor", editor_client, reverse("admin:posts_post_change", args=[post.pk])),
        ("admin new post", editor_client, reverse("admin:posts_post_add")),
        ("admin post history", editor_client, reverse("admin:posts_post_history", args=[post.pk])),
        (
            "admin restore page",
            editor_client,
            reverse("admin:posts_post_revision", args=[post.pk, first_version.pk]),
        ),
        ("admin comments", editor_client, reverse("admin:comments_comment_changelist")),
    ]


def form_pages():
    """Pages as they come back with errors: a form sent wrong."""
    visitor = Client()
    return [
        ("sign up with errors", visitor.post(reverse("account_signup"), {"email": "x"})),
        ("log in with errors", visitor.post(reverse("account_login"), {"login": "x"})),
    ]


def error_pages():
    from django.test import RequestFactory

    from core import views

    request = RequestFactory().get("/")
    return [
        ("400", views.bad_request(request, None)),
        ("500", views.server_error(request)),
    ]


def test_every_page_is_valid_html(tmp_path):
    require_checker()
    rendered = []
    for name, client, path in pages():
        response = client.get(path, follow=True)
        assert response.status_code in {200, 401, 404}, f"{name}: {path} {response.status_code}"
        rendered.append((name, response))
    rendered += form_pages() + error_pages()
    files = {}
    for number, (name, response) in enumerate(rendered):
        assert "text/html" in response["Content-Type"], name
        file = tmp_path / f"page-{number:02d}.html"
        file.write_bytes(response.content)
        files[str(file.resolve())] = name

    result = subprocess.run(
        [java(), "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]

    # vnu names a file "file:/path".
    errors = sorted(
        (
            files.get(message.get("url", "").removeprefix("file:"), message.get("url")),
            message["message"],
        )
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    )
    assert errors == [], "\n".join(f"{page}: {message}" for page, message in errors)
    assert len(files) == len(rendered) >= 35
    assert Comment.objects.exists()


def test_machine_readable_times_have_no_fraction_of_a_second_and_are_utc():
    from datetime import UTC, datetime, timedelta, timezone

    from core.templatetags.html_time import html_datetime

    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 29, 23, 40, 47, 890239, tzinfo=paris)

    assert html_datetime(moment) == "2026-11-29T22:40:47+00:00"
    assert html_datetime(moment.astimezone(UTC)) == "2026-11-29T22:40:47+00:00"
    assert html_datetime(None) == ""
