"""Non-Latin headings: ids from their text, ticks that stay put, old links that land.

Before issue 10 every heading of a Russian post had the id "section", "section-2", ...
by position, so a heading added above the others moved readers' ticks.
"""

import shutil
import time
from importlib import import_module

import pytest
from django.apps import apps

from checklists.models import ChecklistItem, Tick
from checklists.progress import set_tick
from posts.importing import import_post
from posts.markdown import render
from posts.models import Post
from tests.conftest import CASES
from tests.html import parse

pytestmark = pytest.mark.django_db

READ = "Читайте статьи"


@pytest.fixture
def russian_post(tmp_path):
    """ru1.md imported from a file the test then replaces with ru2.md."""
    path = tmp_path / "ru.md"
    shutil.copy(CASES / "ru1.md", path)
    return path, import_post(path).post


def test_a_russian_posts_headings_get_ids_from_their_text(russian_post, client):
    _, post = russian_post
    assert [h["id"] for h in post.checklist_headings] == ["учите-python", "читайте-статьи"]
    page = parse(client.get("/ru-advice/"))
    contents = page.find("nav", class_="toc")
    assert [a["href"] for a in contents.find_all("a")] == ["#учите-python", "#читайте-статьи"]


def test_a_tick_on_a_russian_heading_stays_on_it_when_a_heading_is_added_above(
    russian_post, a_reader, client
):
    path, post = russian_post
    item = ChecklistItem.objects.get(post=post, text=READ)
    set_tick(user=a_reader, item=item, done=True)
    shutil.copy(CASES / "ru2.md", path)
    assert import_post(path).action == "updated"
    post.refresh_from_db()
    assert [h["text"] for h in post.checklist_headings] == [
        "Найдите наставника",
        "Учите Python",
        READ,
    ]
    [tick] = Tick.objects.filter(user=a_reader)
    assert tick.item.text == READ
    assert tick.item.anchor == "читайте-статьи"
    client.force_login(a_reader)
    body = parse(client.get("/ru-advice/")).find("div", class_="post-body")
    checked = [box for box in body.find_all("input", type="checkbox") if "checked" in box.attrs]
    assert [box["value"] for box in checked] == ["читайте-статьи"]


def legacy_id(text, seen):
    """The id the renderer gave before issue 10 (ASCII only, numbered duplicates)."""
    from django.utils.text import slugify

    base = slugify(text)[:80].rstrip("-") or "section"
    anchor, suffix = base, 2
    while anchor in seen:
        anchor, suffix = f"{base}-{suffix}", suffix + 1
    seen.add(anchor)
    return anchor


def as_before_issue_10(post):
    """Store the post, its items and their anchors as the old renderer had them."""
    seen = set()
    headings = [{**h, "id": legacy_id(h["text"], seen)} for h in post.headings]
    html = post.body_html
    for old, new in zip(headings, post.headings, strict=True):
        html = html.replace(f'"{new["id"]}"', f'"{old["id"]}"').replace(
            f'"check-{new["id"]}"', f'"check-{old["id"]}"'
        )
    Post.objects.filter(pk=post.pk).update(headings=headings, body_html=html, heading_aliases={})
    for old, new in zip(headings, post.headings, strict=True):
        ChecklistItem.objects.filter(post=post, anchor=new["id"]).update(anchor=old["id"])
    return [h["id"] for h in headings]


def run_the_migration():
    migration = import_module("posts.migrations.0004_unicode_heading_ids")
    migration.recompute_heading_ids(apps, None)


def test_the_migration_gives_existing_posts_new_ids_keeping_ticks_and_old_links(
    russian_post, the_article, a_reader, another_reader, client
):
    _, post = russian_post
    # Cyrillic letters were dropped: "Учите Python" was "python", «Читайте статьи» "section".
    assert as_before_issue_10(post) == ["python", "section"]
    old_article = the_article.body_html
    set_tick(user=a_reader, item=ChecklistItem.objects.get(anchor="section"), done=True)
    set_tick(user=another_reader, item=ChecklistItem.objects.get(anchor="python"), done=True)

    run_the_migration()

    post.refresh_from_db()
    assert [h["id"] for h in post.headings] == ["учите-python", "читайте-статьи"]
    assert post.heading_aliases == {"python": "учите-python", "section": "читайте-статьи"}
    assert Tick.objects.get(user=a_reader).item.anchor == "читайте-статьи"
    assert Tick.objects.get(user=another_reader).item.anchor == "учите-python"
    page = parse(client.get("/ru-advice/"))
    # A link shared as /ru-advice/#section lands inside the heading it meant.
    assert page.find(id="section").parent["id"] == "читайте-статьи"
    assert page.find(id="python").parent["id"] == "учите-python"
    # ASCII posts are untouched.
    the_article.refresh_from_db()
    assert the_article.body_html == old_article
    assert the_article.heading_aliases == {}


def test_aliases_survive_later_edits_and_saves(russian_post):
    path, post = russian_post
    as_before_issue_10(post)
    run_the_migration()
    shutil.copy(CASES / "ru2.md", path)
    import_post(path)
    post.refresh_from_db()
    # "section" still means «Читайте статьи», not the new first heading (as the old
    # rule would have it).
    assert 'id="section"' in post.body_html.split('id="читайте-статьи"')[1].split("</h2>")[0]
    assert post.body_html.count('id="section"') == 1


def test_the_migration_moves_an_archived_item_to_its_texts_new_id(russian_post, a_reader):
    path, post = russian_post
    item = ChecklistItem.objects.get(post=post, text=READ)
    set_tick(user=a_reader, item=item, done=True)
    post.body = post.body.split('## <input type="checkbox"> ' + READ)[0]
    post.save()  # the heading is removed: its item is archived, with its tick
    item.refresh_from_db()
    assert item.is_archived
    ChecklistItem.objects.filter(pk=item.pk).update(anchor="section")  # its old-rule id
    run_the_migration()
    item.refresh_from_db()
    assert item.anchor == "читайте-статьи"
    # The heading comes back: the item, and the reader's tick, come back with it.
    shutil.copy(CASES / "ru1.md", path)
    import_post(path, force=True)
    item.refresh_from_db()
    assert not item.is_archived
    assert Tick.objects.get(user=a_reader).item == item


@pytest.mark.parametrize(("dialect", "first"), [("commonmark", 2), ("kramdown", 1)])
def test_twenty_thousand_same_headings_are_numbered_in_seconds(dialect, first):
    started = time.monotonic()
    headings = render("# Notes\n" * 20_000 + "# Notes\n", dialect=dialect).headings
    # Each repeat used to try every number from the first: 42 s, past gunicorn's 30 s.
    assert time.monotonic() - started < 15
    ids = [heading.id for heading in headings]
    assert ids[:3] == ["notes", f"notes-{first}", f"notes-{first + 1}"]
    assert ids[-1] == f"notes-{first + 19_999}"
    assert len(set(ids)) == len(ids)
