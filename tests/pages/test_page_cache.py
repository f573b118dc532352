"""The post page cache (pages/page_cache.py): whatever staff change, through whichever
admin view, and whatever the site itself writes, the next view of a cached page shows it.

Each case: a visitor (or a reader) views the page, so it is cached; staff change
something through the admin's own views; the same viewer's next request shows the change.
"""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from checklists.progress import set_tick
from comments.models import BlockedCommenter, Comment
from pages import page_cache
from tests.conftest import ROOT, make_post, make_user, session_queries
from tests.html import parse

from ..comments.conftest import add_comment, make_moderator, post_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    return Client()


@pytest.fixture
def staff(an_editor):
    """A superuser in the admin, each request committed as in production."""
    client = Client()
    client.force_login(an_editor)
    return client


@pytest.fixture
def reader(a_reader):
    client = Client()
    client.force_login(a_reader)
    return client


@pytest.fixture
def a_commenter(db):
    return make_user(email="carla@example.com", display_name="Carla Commenter")


def page(client, post):
    response = client.get(post.get_absolute_url())
    return response.status_code, response.content.decode()


def cached(client, post):
    """View the page twice: the second view comes from the cache."""
    page(client, post)
    return page(client, post)


def change_form(staff, url, **changes):
    """Open an admin change (or add) page, change fields, save as an editor would."""
    forms = parse(staff.get(url)).find_all("form", method="post")
    form = next(form for form in forms if form.get("id", "").endswith("_form"))
    data = {**form.form_values(), **changes, "_save": "Save"}
    response = staff.post(url, data)
    assert response.status_code == 302, parse(response).first("ul", class_="errorlist")
    return response


def delete_page(staff, url):
    response = staff.post(url, {"post": "yes"})
    assert response.status_code == 302
    return response


def changelist_action(staff, url, action, objects):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], "post": "yes"}
    response = staff.post(url, data)
    assert response.status_code == 302
    return response


# Comments -----------------------------------------------------------------------------


@pytest.fixture
def a_comment(a_post, a_commenter):
    return add_comment(a_post, a_commenter, "Abusive words")


def test_a_comment_deleted_on_its_admin_delete_page_leaves_the_page(
    visitor, staff, a_post, a_comment
):
    assert "Abusive words" in cached(visitor, a_post)[1]

    delete_page(staff, reverse("admin:comments_comment_delete", args=[a_comment.pk]))

    assert "Abusive words" not in page(visitor, a_post)[1]


def test_comments_deleted_with_delete_selected_leave_the_page(visitor, staff, a_post, a_comment):
    other = add_comment(a_post, a_comment.author, "More abuse")
    assert "More abuse" in cached(visitor, a_post)[1]

    changelist_action(
        staff, reverse("admin:comments_comment_changelist"), "delete_selected", [a_comment, other]
    )

    html = page(visitor, a_post)[1]
    assert "Abusive words" not in html and "More abuse" not in html


@pytest.mark.parametrize("action", ["reject", "mark_spam"])
def test_a_comment_rejected_in_the_admin_leaves_the_page(visitor, staff, a_post, a_comment, action):
    assert "Abusive words" in cached(visitor, a_post)[1]

    changelist_action(staff, reverse("admin:comments_comment_changelist"), action, [a_comment])

    assert "Abusive words" not in page(visitor, a_post)[1]


def test_a_comment_approved_in_the_admin_appears(visitor, staff, a_post, a_commenter):
    waiting = add_comment(a_post, a_commenter, "Worth reading", status="pending")
    assert "Worth reading" not in cached(visitor, a_post)[1]

    changelist_action(staff, reverse("admin:comments_comment_changelist"), "approve", [waiting])

    assert "Worth reading" in page(visitor, a_post)[1]


def test_a_comment_hidden_by_readers_flags_leaves_the_page(visitor, a_post, a_comment, settings):
    settings.COMMENTS_FLAGS_TO_HIDE = 1
    assert "Abusive words" in cached(visitor, a_post)[1]
    flagger = Client()
    flagger.force_login(make_user(email="flagger@example.com", display_name="Flagger"))

    flagger.post(reverse("comments:flag", args=[a_comment.pk]), {"reason": "abuse"})

    assert "Abusive words" not in page(visitor, a_post)[1]


def test_a_comment_changed_by_a_queryset_update_leaves_the_page(visitor, a_post, a_comment):
    """QuerySet.update() sends no post_save; the page cache hears it all the same."""
    assert "Abusive words" in cached(visitor, a_post)[1]

    Comment.objects.filter(pk=a_comment.pk).update(status=Comment.Status.REJECTED)

    assert "Abusive words" not in page(visitor, a_post)[1]


# One post's pages (issue 23) -------------------------------------------------------------


@pytest.fixture
def another_post(db):
    return make_post(title="Another post", slug="another-post", permalink="/another-post/")


def test_a_comment_on_one_post_leaves_another_posts_page_served(
    visitor, staff, a_post, another_post, a_commenter, django_assert_num_queries
):
    waiting = add_comment(a_post, a_commenter, "Worth reading", status="pending")
    cached(visitor, a_post)
    cached(visitor, another_post)

    changelist_action(staff, reverse("admin:comments_comment_changelist"), "approve", [waiting])

    with django_assert_num_queries(0):  # from the cache, as it was
        assert page(visitor, another_post)[0] == 200
    assert "Worth reading" in page(visitor, a_post)[1]


def test_a_comment_awaiting_a_moderator_leaves_the_visitors_page_served(
    visitor, a_post, a_commenter, django_assert_num_queries
):
    commenter = Client()
    commenter.force_login(a_commenter)
    cached(visitor, a_post)
    assert "Worth reading" not in cached(commenter, a_post)[1]

    assert post_comment(commenter, a_post, "Worth reading").status_code == 302
    assert Comment.objects.get(body="Worth reading").is_pending

    with django_assert_num_queries(0):
        assert "Worth reading" not in page(visitor, a_post)[1]
    assert "Worth reading" in page(commenter, a_post)[1]  # their own page shows it at once


def test_a_post_moved_to_a_new_address_leaves_its_old_one_at_once(visitor, staff, a_post):
    old = a_post.get_absolute_url()
    assert cached(visitor, a_post)[0] == 200

    change_form(
        staff, reverse("admin:posts_post_change", args=[a_post.pk]), permalink="/moved-here/"
    )

    response = visitor.get(old)
    assert response.status_code == 301 and response["Location"] == "/moved-here/"
    assert visitor.get("/moved-here/").status_code == 200


def test_a_post_edited_in_the_admin_leaves_other_posts_pages_served(
    visitor, staff, a_post, another_post, django_assert_num_queries
):
    cached(visitor, another_post)

    change_form(
        staff, reverse("admin:posts_post_change", args=[a_post.pk]), title="A retitled post"
    )

    with django_assert_num_queries(0):
        assert "Another post" in page(visitor, another_post)[1]
    assert "A retitled post" in page(visitor, a_post)[1]


# Readers' names and accounts -----------------------------------------------------------


def test_a_sign_up_leaves_the_visitors_page_served(visitor, a_post, django_assert_num_queries):
    from tests.accounts.helpers import sign_up

    cached(visitor, a_post)

    assert sign_up(Client(), "newcomer@example.com", "Newcomer").status_code == 302

    with django_assert_num_queries(0):
        assert page(visitor, a_post)[0] == 200


def test_a_display_name_changed_in_the_user_admin_shows_at_once(
    visitor, staff, a_post, a_comment, a_commenter
):
    assert "Carla Commenter" in cached(visitor, a_post)[1]

    change_form(
        staff, reverse("admin:accounts_user_change", args=[a_commenter.pk]), display_name="C. C."
    )

    html = page(visitor, a_post)[1]
    assert "Carla Commenter" not in html and "C. C." in html


@pytest.mark.parametrize("how", ["delete page", "delete selected"])
def test_a_user_deleted_in_the_admin_leaves_no_name_on_the_page(
    visitor, staff, a_post, a_comment, a_commenter, how
):
    assert "Carla Commenter" in cached(visitor, a_post)[1]

    if how == "delete page":
        delete_page(staff, reverse("admin:accounts_user_delete", args=[a_commenter.pk]))
    else:
        changelist_action(
            staff, reverse("admin:accounts_user_changelist"), "delete_selected", [a_commenter]
        )

    assert "Carla Commenter" not in page(visitor, a_post)[1]


def test_a_reader_who_deletes_their_account_leaves_no_name_behind(visitor, a_post, a_commenter):
    add_comment(a_post, a_commenter, "My words")
    assert "Carla Commenter" in cached(visitor, a_post)[1]
    reader = Client()
    reader.force_login(a_commenter)

    reader.post(reverse("accounts:delete"), {"password": "a-long-enough-password"})

    html = page(visitor, a_post)[1]
    assert "Carla Commenter" not in html and "My words" not in html


# Categories and posts ------------------------------------------------------------------


@pytest.fixture
def a_filed_post(a_category):
    return make_post(title="Filed", slug="filed", permalink="/filed/", categories=[a_category])


def test_a_category_renamed_in_the_admin_shows_at_once(visitor, staff, a_filed_post, a_category):
    assert "Deep Learning" in cached(visitor, a_filed_post)[1]

    change_form(
        staff, reverse("admin:posts_category_change", args=[a_category.pk]), name="Neural Networks"
    )

    html = page(visitor, a_filed_post)[1]
    assert "Neural Networks" in html and "Deep Learning" not in html


@pytest.mark.parametrize("how", ["delete page", "delete selected"])
def test_a_category_deleted_in_the_admin_leaves_the_page(
    visitor, staff, a_filed_post, a_category, how
):
    assert "Deep Learning" in cached(visitor, a_filed_post)[1]

    if how == "delete page":
        delete_page(staff, reverse("admin:posts_category_delete", args=[a_category.pk]))
    else:
        changelist_action(
            staff, reverse("admin:posts_category_changelist"), "delete_selected", [a_category]
        )

    assert "Deep Learning" not in page(visitor, a_filed_post)[1]


def test_categories_changed_on_the_post_form_show_at_once(visitor, staff, a_post, a_category):
    assert "Deep Learning" not in cached(visitor, a_post)[1]

    change_form(
        staff, reverse("admin:posts_post_change", args=[a_post.pk]), categories=[str(a_category.pk)]
    )

    assert "Deep Learning" in page(visitor, a_post)[1]


def test_a_post_edited_in_the_admin_shows_at_once(visitor, staff, a_post):
    assert "A test post" in cached(visitor, a_post)[1]

    change_form(
        staff, reverse("admin:posts_post_change", args=[a_post.pk]), title="A retitled post"
    )

    assert "A retitled post" in page(visitor, a_post)[1]


@pytest.mark.parametrize("how", ["delete page", "delete selected", "made a draft"])
def test_a_post_deleted_or_unpublished_in_the_admin_is_gone(visitor, staff, a_post, a_reader, how):
    # A reader's tick goes with the post: the admin asks no permission the editor lacks.
    set_tick(user=a_reader, item=a_post.checklist_items.first(), done=True)
    assert cached(visitor, a_post)[0] == 200

    if how == "delete page":
        delete_page(staff, reverse("admin:posts_post_delete", args=[a_post.pk]))
    elif how == "delete selected":
        changelist_action(
            staff, reverse("admin:posts_post_changelist"), "delete_selected", [a_post]
        )
    else:
        change_form(staff, reverse("admin:posts_post_change", args=[a_post.pk]), status="draft")

    # A deleted post's address answers 410 Gone (issue 18); a draft's is not found.
    assert page(visitor, a_post)[0] == (404 if how == "made a draft" else 410)


def test_a_reimported_file_shows_at_once(visitor, the_article, write_post_file):
    from posts.importing import import_post

    assert "Learn a framework well" in cached(visitor, the_article)[1]
    text = (the_article.body or "").replace("Learn a framework well", "Learn one framework well")
    # Another file with the bundled article's address: --force takes the post over.
    import_post(write_post_file(_front_matter(the_article) + text), force=True)

    assert "Learn one framework well" in page(visitor, the_article)[1]


def _front_matter(post):
    return f"---\ntitle: {post.title}\npermalink: {post.permalink}\n---\n"


def test_readers_counts_recounted_in_the_admin_show_at_once(visitor, staff, a_post, a_reader):
    item = a_post.checklist_items.first()
    set_tick(user=a_reader, item=item, done=True)
    type(item).objects.filter(pk=item.pk).update(reader_count=40)  # drifted
    assert "40 readers did this" in cached(visitor, a_post)[1]

    changelist_action(
        staff, reverse("admin:checklists_checklistitem_changelist"), "recount", [item]
    )

    assert "1 reader did this" in page(visitor, a_post)[1]


def retitle_behind_the_caches_back(post, title):
    """Raw SQL, as a data migration might write: no signal, so no page hears it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE posts_post SET title = %s WHERE id = %s", [title, post.pk])


def test_clear_page_cache_makes_every_page_stale(visitor, reader, a_post):
    cached(visitor, a_post)
    cached(reader, a_post)
    retitle_behind_the_caches_back(a_post, "Raw title")
    assert "Raw title" not in page(visitor, a_post)[1]  # nothing heard it

    call_command("clear_page_cache", stdout=StringIO())

    assert "Raw title" in page(visitor, a_post)[1]
    assert "Raw title" in page(reader, a_post)[1]


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="without Redis only: the file cache")
def test_without_redis_clear_page_cache_from_another_process_reaches_the_servers_pages(
    visitor, reader, a_post
):
    # Each gunicorn worker and each management command is a process of its own: the
    # shared cache they meet in must not be any one process's memory.
    cached(visitor, a_post)
    cached(reader, a_post)
    retitle_behind_the_caches_back(a_post, "Raw title")
    assert "Raw title" not in page(visitor, a_post)[1]

    command = [sys.executable, "manage.py", "clear_page_cache"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "advice_site.test_settings"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    assert "Raw title" in page(visitor, a_post)[1]
    assert "Raw title" in page(reader, a_post)[1]


def test_a_new_release_never_serves_the_old_releases_page(visitor, a_post, settings):
    from pages import page_cache

    cached(visitor, a_post)
    retitle_behind_the_caches_back(a_post, "Raw title")
    settings.RELEASE = "the-next-release"
    page_cache.release.cache_clear()
    try:
        assert "Raw title" in page(visitor, a_post)[1]
    finally:
        page_cache.release.cache_clear()


# What only one reader sees -------------------------------------------------------------


def test_a_reader_blocked_and_unblocked_in_the_admin_sees_it_at_once(
    reader, a_post, a_reader, an_editor
):
    moderator = Client()
    moderator.force_login(an_editor)
    assert 'class="comment-form"' in cached(reader, a_post)[1]

    change_form(moderator, reverse("admin:comments_blockedcommenter_add"), user=str(a_reader.pk))
    assert "stopped from commenting" in page(reader, a_post)[1]

    block = BlockedCommenter.objects.get(user=a_reader)
    delete_page(moderator, reverse("admin:comments_blockedcommenter_delete", args=[block.pk]))
    assert 'class="comment-form"' in page(reader, a_post)[1]


def test_authors_blocked_from_the_comment_queue_see_it_at_once(reader, a_post, a_reader):
    moderator = Client()
    moderator.force_login(make_moderator())
    comment = add_comment(a_post, a_reader, "Mine")
    assert 'class="comment-form"' in cached(reader, a_post)[1]

    changelist_action(
        moderator, reverse("admin:comments_comment_changelist"), "block_authors", [comment]
    )

    assert "stopped from commenting" in page(reader, a_post)[1]


def test_an_address_verified_in_the_admin_opens_the_comment_form(
    reader, staff, a_post, a_reader, settings
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    address = EmailAddress.objects.get(user=a_reader)
    address.verified = False
    address.save()
    assert "Confirm your email address" in cached(reader, a_post)[1]

    change_form(
        staff, reverse("admin:account_emailaddress_change", args=[address.pk]), verified="on"
    )

    assert 'class="comment-form"' in page(reader, a_post)[1]


def test_a_readers_own_tick_is_exact_on_their_page_at_once(reader, a_post):
    assert "0 of 2 done" in cached(reader, a_post)[1]
    item = a_post.checklist_items.first()

    reader.post(reverse("checklists:set", args=[item.pk]), {"done": "true"})

    html = page(reader, a_post)[1]
    assert "1 of 2 done" in html and "You did this" in html


def test_a_readers_tick_does_not_empty_anyone_elses_page(
    reader, visitor, a_post, another_reader, django_assert_num_queries
):
    other = Client()
    other.force_login(another_reader)
    cached(visitor, a_post)
    cached(other, a_post)

    reader.post(
        reverse("checklists:set", args=[a_post.checklist_items.first().pk]), {"done": "true"}
    )

    with django_assert_num_queries(0):
        assert "0 readers did this" in page(visitor, a_post)[1]  # the count lags, by design
    # The session and the user (Django's middleware); the page comes from the cache.
    with django_assert_num_queries(session_queries() + 1):
        assert "0 of 2 done" in page(other, a_post)[1]


def test_a_changed_password_stops_the_old_sessions_page(reader, a_post, a_reader):
    assert a_reader.public_name in cached(reader, a_post)[1]

    a_reader.set_password("a brand new secret")  # changed elsewhere: this session is stale
    a_reader.save()

    html = page(reader, a_post)[1]
    assert a_reader.public_name not in html and "Log in" in html


def test_a_deactivated_reader_stops_getting_their_page(reader, a_post, a_reader):
    cached(reader, a_post)

    a_reader.is_active = False
    a_reader.save()

    assert a_reader.public_name not in page(reader, a_post)[1]


def test_a_logged_out_session_never_gets_the_readers_page(reader, a_post, a_reader):
    cached(reader, a_post)
    stolen = reader.cookies["sessionid"].value
    reader.post(reverse("account_logout"))

    thief = Client()
    thief.cookies["sessionid"] = stolen
    assert a_reader.public_name not in page(thief, a_post)[1]


# Nothing personal on a shared page -----------------------------------------------------


def test_a_visitors_page_never_carries_anyones_own_data(a_post, a_reader):
    """Two sessions fill the caches first: a reader (name, tick, token, message) and a
    visitor with ticks and a message. A new visitor's page has none of it."""
    first_item = a_post.checklist_items.first()
    reader = Client()
    reader.force_login(a_reader)
    reader.post(reverse("checklists:set", args=[first_item.pk]), {"done": "true"})
    reader.post(
        reverse("accounts:display_name"), {"display_name": "Rita Private"}
    )  # leaves a message
    reader_html = page(reader, a_post)[1]
    ticking_visitor = Client()
    ticking_visitor.post(reverse("checklists:set", args=[first_item.pk]), {"done": "true"})
    visitor_html = page(ticking_visitor, a_post)[1]
    assert "1 of 2 done" in visitor_html and "Rita Private" in reader_html

    for _ in range(2):  # built, then from the cache
        response = Client().get(a_post.get_absolute_url())
        html = response.content.decode()
        assert "Rita Private" not in html
        assert "1 of 2 done" not in html and "0 of 2 done" in html
        assert "csrfmiddlewaretoken" not in html and "csrftoken" not in response.cookies
        assert "Your display name is saved" not in html
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=5"


def test_pages_for_anyone_with_a_session_are_private(reader, a_post):
    ticking_visitor = Client()
    ticking_visitor.post(
        reverse("checklists:set", args=[a_post.checklist_items.first().pk]), {"done": "1"}
    )

    for client in (reader, ticking_visitor):
        for _ in range(2):
            response = client.get(a_post.get_absolute_url())
            assert "private" in response["Cache-Control"]
            assert "public" not in response["Cache-Control"]


def test_a_conditional_get_is_answered_304_until_the_page_changes(visitor, a_post, a_comment):
    first = visitor.get(a_post.get_absolute_url())

    again = visitor.get(a_post.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
    Comment.objects.filter(pk=a_comment.pk).delete()
    after = visitor.get(a_post.get_absolute_url(), headers={"If-None-Match": first["ETag"]})

    assert (again.status_code, again.content) == (304, b"")
    assert after.status_code == 200 and "Abusive words" not in after.content.decode()


def test_an_ageing_page_is_rebuilt_by_one_request_while_the_others_get_it(
    visitor, a_post, monkeypatch
):
    """Counts may lag: a page still current is rebuilt once it is old, by the one request
    that takes the refresh lock; meanwhile every other request gets the stored page
    instead of rebuilding it too (no crowd rebuilding one page when it expires)."""
    import time as real_time

    from pages import page_cache

    cached(visitor, a_post)
    retitle_behind_the_caches_back(a_post, "Counted again")
    later = real_time.time() + page_cache.PAGE_SECONDS * page_cache.REFRESH_AFTER[1] + 1
    monkeypatch.setattr(page_cache.time, "time", lambda: later)
    request = RequestFactory().get(a_post.get_absolute_url())
    lock = page_cache.stored_page_key(request, "visitor", "1") + ":refresh"
    page_cache.cache.add(lock, 1)  # another request is rebuilding it

    assert "Counted again" not in page(visitor, a_post)[1]
    page_cache.cache.delete(lock)
    assert "Counted again" in page(visitor, a_post)[1]


def test_a_release_covers_every_folder_of_the_sites_code_templates_and_static_files():
    root = Path(settings.BASE_DIR).resolve()
    apps = {path.parent.name for path in root.glob("*/apps.py")}

    covered = {str(folder.relative_to(root)) for folder in page_cache.source_folders()}

    assert covered == apps | {"advice_site", "templates", "static"}
