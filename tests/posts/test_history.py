"""Revision history of posts (issue 10): every save is kept, and any can be restored.

Saves in admin, by the importer and by a restore each keep a revision naming who and
when; the admin's History page lists them; restoring one goes through Post.save(), so
the HTML, the checklist items and readers' ticks follow as with any edit.
"""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from reversion.models import Version

from checklists.models import ChecklistItem, Tick
from checklists.progress import set_tick
from posts.history import restore_version, versions_of
from posts.importing import import_post
from posts.models import Category, Post
from tests.conftest import edit_in_admin, make_post
from tests.html import parse

pytestmark = pytest.mark.django_db

FIRST = "Learn a framework well"
BROKEN_BODY = "Oops, the editor pasted over everything.\n"


def history_url(post):
    return reverse("admin:posts_post_history", args=[post.pk])


def history_rows(client, post):
    page = parse(client.get(history_url(post)))
    return page.find("table", id="change-history").find("tbody").find_all("tr")


def test_every_save_keeps_a_revision_naming_who_and_why(editor_client, an_editor, the_article):
    edit_in_admin(editor_client, the_article, title="Edited once")
    Post.objects.get().save()  # a script or the shell: a revision too
    versions = list(versions_of(the_article))
    comments = [v.revision.get_comment() for v in versions]
    assert comments[0] == ""
    assert comments[1].startswith("Changed Title")  # the admin's change message
    assert comments[2] == "Imported from dl_advice.md"
    assert [v.revision.user for v in versions] == [None, an_editor, None]


def test_a_revision_keeps_the_posts_categories_in_the_same_version(editor_client, the_article):
    career = Category.objects.create(name="Career", slug="career")
    edit_in_admin(editor_client, the_article, categories=[str(career.pk)])
    newest = versions_of(the_article).first()
    assert newest.field_dict["categories"] == [career.pk]
    assert Version.objects.get_for_object(the_article).count() == 2


def test_the_history_page_lists_revisions_with_who_and_when(editor_client, an_editor, the_article):
    edit_in_admin(editor_client, the_article, title="Edited once")
    rows = history_rows(editor_client, the_article)
    assert len(rows) == 2
    newest, oldest = rows
    assert newest.find("time")["datetime"]
    assert f"{an_editor.public_name} ({an_editor.email})" in newest.text
    assert "Changed Title" in newest.text
    assert "Current version" in newest.text
    assert "Imported from dl_advice.md" in oldest.text
    restore = oldest.find("a")
    assert restore["aria-label"].startswith("Restore the version of ")


def test_a_restore_round_trip_through_the_admin_keeps_readers_ticks(
    editor_client, an_editor, the_article, a_reader, client
):
    item = ChecklistItem.objects.get(post=the_article, text=FIRST)
    set_tick(user=a_reader, item=item, done=True)
    edit_in_admin(editor_client, the_article, body=BROKEN_BODY)
    item.refresh_from_db()
    assert item.is_archived  # the heading went with the editor's mistake

    restore_link = history_rows(editor_client, the_article)[1].find("a")["href"]
    page = parse(editor_client.get(restore_link))
    assert page.find("input", type="submit")["value"] == "Restore this version"
    # What restoring brings back, as the text readers see: the checklist's headings.
    added = [ins.text for ins in page.find(role="region").find_all("ins")]
    assert "[Added: Learn a framework well]" in added
    response = editor_client.post(restore_link)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:posts_post_change", args=[the_article.pk])

    the_article.refresh_from_db()
    assert BROKEN_BODY not in the_article.body
    assert "Learn a framework well" in the_article.body_html  # rendered by Post.save()
    item.refresh_from_db()
    assert not item.is_archived
    assert Tick.objects.get(user=a_reader).item == item
    assert item.reader_count == 1
    client.force_login(a_reader)
    body = parse(client.get("/dl_advice/")).find("div", class_="post-body")
    assert "checked" in body.find("input", id="check-learn-a-framework-well").attrs
    newest = versions_of(the_article).first()
    assert newest.revision.user == an_editor
    assert newest.revision.get_comment().startswith("Restored the version of ")
    assert LogEntry.objects.filter(object_id=str(the_article.pk)).first().get_change_message()


def test_restoring_puts_back_title_status_and_categories(editor_client, the_article):
    original = versions_of(the_article).first()
    edit_in_admin(editor_client, the_article, title="Wrong", status="draft", categories=[])
    restore_version(version=original, user=None)
    the_article.refresh_from_db()
    assert (the_article.title, the_article.status) == (
        "Advice for those who want to learn Deep Learning",
        Post.Status.PUBLISHED,
    )
    assert sorted(the_article.categories.values_list("name", flat=True)) == [
        "Deep Learning",
        "Thoughts",
    ]


def test_a_version_whose_permalink_another_post_took_is_refused_without_a_change(
    editor_client, the_article
):
    original = versions_of(the_article).first()
    edit_in_admin(editor_client, the_article, permalink="/moved/")
    make_post(slug="squatter", permalink="/dl_advice/")
    url = reverse("admin:posts_post_revision", args=[the_article.pk, original.pk])
    response = editor_client.post(url, follow=True)
    assert "This version cannot be restored" in response.text
    the_article.refresh_from_db()
    assert the_article.permalink == "/moved/"


def test_restoring_needs_the_permission_to_change_posts(client, a_staff_member, the_article):
    version = versions_of(the_article).first()
    client.force_login(a_staff_member)
    url = reverse("admin:posts_post_revision", args=[the_article.pk, version.pk])
    assert client.post(url).status_code == 403
    assert client.get(history_url(the_article)).status_code == 403


def test_another_posts_version_is_not_found(editor_client, the_article):
    other = make_post()
    version = versions_of(other).first()
    url = reverse("admin:posts_post_revision", args=[the_article.pk, version.pk])
    assert editor_client.get(url).status_code == 404


def test_a_later_import_leaves_a_restored_post_alone_when_the_file_changed_too(
    editor_client, write_post_file
):
    path = write_post_file("---\ntitle: T\npermalink: /t/\n---\nFirst.\n")
    post = import_post(path).post
    edit_in_admin(editor_client, post, body="Second.")
    restore_version(version=versions_of(post).last(), user=None)
    path.write_text("---\ntitle: T\npermalink: /t/\n---\nThird.\n")
    # The restore put back exactly what the import wrote: the file's change applies.
    assert import_post(path).action == "updated"
