"""The importer never overwrites the editor's work (issue 10).

`make run` and the Docker entrypoint import content/*.md at every start: a file that
has not changed is skipped, a changed file is applied when nobody edited the post in
admin since its last import, and when both changed the admin's post is kept, with one
line saying so and `--force` to take the file.
"""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from posts.models import ImportRecord, Post
from tests.conftest import ARTICLE_FILE, ARTICLE_TITLE, edit_in_admin

pytestmark = pytest.mark.django_db

ADDED_PARAGRAPH = "A paragraph the editor added in admin."


def start_up_import(*paths, force=False):
    """What `make run` and the entrypoint run; (stdout, stderr). Raises on a failure
    exit, which would stop the unattended start."""
    stdout, stderr = StringIO(), StringIO()
    arguments = [*map(str, paths)] + (["--force"] if force else [])
    call_command("import_post", *arguments, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def article_copy(tmp_path):
    """The bundled article as a file the test may change, imported once."""
    path = tmp_path / "dl_advice.md"
    shutil.copy(ARTICLE_FILE, path)
    start_up_import(path)
    return path


def change_file(path):
    path.write_text(
        path.read_text(encoding="utf-8").replace("Hopefully,", "With luck,"), encoding="utf-8"
    )


def test_the_start_up_import_after_an_admin_edit_keeps_the_edit(editor_client, article_copy):
    post = Post.objects.get()
    edit_in_admin(editor_client, post, body=post.body + "\n" + ADDED_PARAGRAPH + "\n")
    stdout, stderr = start_up_import(article_copy)
    assert stdout == f"{article_copy}: unchanged /dl_advice/ ({ARTICLE_TITLE})\n"
    assert stderr == ""
    post.refresh_from_db()
    assert ADDED_PARAGRAPH in post.body
    assert ADDED_PARAGRAPH in post.body_html


def test_the_bundled_articles_second_import_is_skipped(db):
    start_up_import(ARTICLE_FILE)
    before = Post.objects.get()
    stdout, _ = start_up_import(ARTICLE_FILE)
    assert stdout == f"{ARTICLE_FILE}: unchanged /dl_advice/ ({ARTICLE_TITLE})\n"
    assert Post.objects.get().updated_at == before.updated_at


def test_a_changed_file_with_no_admin_edit_is_applied(article_copy):
    change_file(article_copy)
    stdout, _ = start_up_import(article_copy)
    assert stdout == f"{article_copy}: updated /dl_advice/ ({ARTICLE_TITLE})\n"
    post = Post.objects.get()
    assert "With luck, this answers" in post.body_html
    assert ImportRecord.objects.get(post=post).fields["body"] == post.body.rstrip()


def test_when_both_changed_the_admin_copy_stays_with_one_clear_line(editor_client, article_copy):
    post = edit_in_admin(editor_client, Post.objects.get(), title="Edited in admin")
    change_file(article_copy)
    stdout, stderr = start_up_import(article_copy)
    assert stdout.splitlines() == [
        f"{article_copy}: kept /dl_advice/ (Edited in admin) as edited in admin; the file "
        f"changed too. Run import_post --force {article_copy} to take the file"
    ]
    assert stderr == ""
    post.refresh_from_db()
    assert post.title == "Edited in admin"
    assert "With luck" not in post.body


def test_force_takes_the_file_over_the_admin_edit(editor_client, article_copy):
    post = edit_in_admin(editor_client, Post.objects.get(), title="Edited in admin")
    change_file(article_copy)
    stdout, _ = start_up_import(article_copy, force=True)
    assert stdout == f"{article_copy}: updated /dl_advice/ ({ARTICLE_TITLE})\n"
    post.refresh_from_db()
    assert (post.title, "With luck" in post.body) == (ARTICLE_TITLE, True)
    # Once the file is taken, later changes of the file apply again.
    article_copy.write_text(
        article_copy.read_text().replace("With luck,", "Perhaps"), encoding="utf-8"
    )
    assert "updated" in start_up_import(article_copy)[0]


def test_saving_in_admin_without_a_change_is_no_edit(editor_client, article_copy):
    # A browser sends the body with CRLF line endings: that alone is not an edit.
    post = Post.objects.get()
    edit_in_admin(editor_client, post, body=post.body.replace("\n", "\r\n"))
    change_file(article_copy)
    assert " updated " in start_up_import(article_copy)[0]


def test_an_admin_edit_of_any_imported_field_counts(editor_client, article_copy):
    post = edit_in_admin(editor_client, Post.objects.get(), status="draft")
    change_file(article_copy)
    assert " kept " in start_up_import(article_copy)[0]
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_a_post_imported_before_records_were_kept_is_taken_over_when_it_matches_the_file(
    article_copy,
):
    ImportRecord.objects.all().delete()  # as imported by an older version
    change_file(article_copy)
    # Only the file changed: nothing tells the post apart from an older import of it,
    # except the change itself; the post is not the file's, so it is kept.
    assert " kept " in start_up_import(article_copy)[0]
    ImportRecord.objects.all().delete()
    shutil.copy(ARTICLE_FILE, article_copy)
    # The same text as the post: the post is the file's, and recorded from now on.
    assert " unchanged " in start_up_import(article_copy)[0]
    assert ImportRecord.objects.count() == 1
    change_file(article_copy)
    assert " updated " in start_up_import(article_copy)[0]


def test_a_post_an_older_importer_put_at_its_titles_slug_is_the_files_post_not_a_copy(
    write_post_file, client
):
    # Before import records, a file without a permalink went to its title's slug.
    old = Post.objects.create(
        title="My Post", slug="my-post", permalink="/my-post/", body="Text.\n", status="published"
    )
    path = write_post_file("---\ntitle: My Post\n---\nText.\n", "some-name.md")

    stdout, _ = start_up_import(path)

    assert "updated /some-name/" in stdout
    assert list(Post.objects.values_list("pk", "permalink")) == [(old.pk, "/some-name/")]
    assert client.get("/my-post/")["Location"] == "/some-name/"


def test_a_post_written_in_admin_is_never_overwritten_by_a_file_with_its_address(
    editor_client, write_post_file
):
    editor_client.post(
        reverse("admin:posts_post_add"),
        {
            "title": "Mine",
            "slug": "mine",
            "permalink": "/mine/",
            "body": "Written here.\n",
            "status": "published",
            "published_at_0": "2024-01-02",
            "published_at_1": "10:00:00",
        },
    )
    path = write_post_file("---\ntitle: Theirs\npermalink: /mine/\n---\nFrom a file.\n")
    stdout, _ = start_up_import(path)
    assert " kept /mine/ (Mine)" in stdout
    assert Post.objects.get().body.strip() == "Written here."


def test_a_file_whose_permalink_changed_moves_its_post(write_post_file, client):
    path = write_post_file("---\ntitle: Moving\npermalink: /before/\n---\nText.\n", "moving.md")
    first = start_up_import(path)
    path.write_text("---\ntitle: Moving\npermalink: /after/\n---\nText.\n", encoding="utf-8")
    second = start_up_import(path)
    assert ("created /before/" in first[0], "updated /after/" in second[0]) == (True, True)
    assert Post.objects.get().permalink == "/after/"
    assert client.get("/before/")["Location"] == "/after/"


def test_two_files_asking_for_one_address_are_refused_not_swapped_at_every_start(
    write_post_file,
):
    # No permalink: both take the address of their file name's slug, Jekyll's :title.
    first = write_post_file("---\ntitle: First update\n---\nOne.\n", "2020-01-01-weekly.md")
    second = write_post_file("---\ntitle: Second update\n---\nTwo.\n", "2021-01-01-weekly.md")

    for _ in range(2):  # two starts
        with pytest.raises(CommandError, match="1 of 2 files could not be imported"):
            start_up_import(first, second)

    post = Post.objects.get()
    assert (post.permalink, post.title) == ("/weekly/", "First update")
    stderr = StringIO()
    with pytest.raises(CommandError):
        call_command("import_post", str(first), str(second), stdout=StringIO(), stderr=stderr)
    assert f"asks for /weekly/, which is the post of {first}" in stderr.getvalue()


def test_a_file_moved_to_another_folder_keeps_its_post(write_post_file, tmp_path):
    path = write_post_file("---\ntitle: Moving house\n---\nText.\n", "moving.md")
    start_up_import(path)
    moved = tmp_path / "elsewhere" / "moving.md"
    moved.parent.mkdir()
    path.rename(moved)

    start_up_import(moved)

    assert Post.objects.get().import_record.source_path == str(moved)


def test_every_import_that_writes_is_a_revision_naming_the_file(article_copy):
    from reversion.models import Version

    change_file(article_copy)
    start_up_import(article_copy)
    start_up_import(article_copy)  # unchanged: no new revision
    versions = Version.objects.get_for_object(Post.objects.get())
    assert [version.revision.get_comment() for version in versions] == [
        "Imported from dl_advice.md",
        "Imported from dl_advice.md",
    ]
