"""Heading ids without invisible marks (issue 22): "Set up your tools ⚙️" is
#set-up-your-tools, and a post stored with the old id keeps its ticks and old links."""

from importlib import import_module

import pytest
from django.apps import apps

from checklists.models import ChecklistItem, Tick
from checklists.progress import set_tick
from posts.markdown import heading_id, render
from tests.conftest import make_post
from tests.html import parse

TOOLS = "Set up your tools ⚙️"  # U+2699 and U+FE0F, the emoji variation selector
OLD_TOOLS_ID = "set-up-your-tools-\ufe0f"  # what the rule before issue 22 gave


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TOOLS, "set-up-your-tools"),
        ("Set up your tools ⚙\ufe0e", "set-up-your-tools"),  # the text presentation
        ("Step 1\ufe0f\u20e3 first", "step-1-first"),  # a keycap: enclosing mark U+20E3
        ("\U0001f469\u200d\U0001f4bb Pair programming", "pair-programming"),  # a ZWJ sequence
        ("Read the docs \U0001f44d\U0001f3fd", "read-the-docs"),  # a skin-tone modifier
        ("Ship it \U0001f1eb\U0001f1f7", "ship-it"),  # a flag: regional indicators
        ("Tools \u034f!", "tools"),  # the combining grapheme joiner
        ("Тест ✅ готово", "тест-готово"),
        ("हिन्दी सीखें", "हिन्दी-सीखें"),  # visible marks stay: vowel signs, virama
        ("Café au lait", "café-au-lait"),
    ],
)
def test_heading_ids_leave_out_marks_nobody_sees(text, expected):
    assert heading_id(text) == expected


def test_an_emoji_heading_on_the_page_has_the_id_without_a_trailing_hyphen():
    rendered = render(f'## <input type="checkbox"> {TOOLS}\n')
    assert [heading.id for heading in rendered.headings] == ["set-up-your-tools"]
    assert '<h2 id="set-up-your-tools" class="checklist-heading">' in rendered.html
    assert "\ufe0f" not in rendered.html.split(">", 1)[0]


def as_before_issue_22(post):
    """Store the post, its items and their anchors as the rule before issue 22 gave them."""
    html = post.body_html.replace('"set-up-your-tools"', f'"{OLD_TOOLS_ID}"')
    html = html.replace('"check-set-up-your-tools', f'"check-{OLD_TOOLS_ID}')
    headings = [
        {**h, "id": OLD_TOOLS_ID} if h["id"] == "set-up-your-tools" else h for h in post.headings
    ]
    type(post).objects.filter(pk=post.pk).update(
        body_html=html, headings=headings, heading_aliases={}
    )
    ChecklistItem.objects.filter(post=post, anchor="set-up-your-tools").update(anchor=OLD_TOOLS_ID)


def run_the_migration():
    migration = import_module("posts.migrations.0007_heading_ids_drop_variation_selectors")
    migration.drop_unseen_marks(apps, None)


@pytest.mark.django_db
def test_the_migration_keeps_ticks_and_old_links_of_a_post_stored_with_the_old_id(a_reader, client):
    post = make_post(
        body=f'Intro.\n\n## <input type="checkbox"> {TOOLS}\n\nText.\n\n'
        '## <input type="checkbox"> Write daily\n\nMore.\n'
    )
    as_before_issue_22(post)
    item = ChecklistItem.objects.get(post=post, anchor=OLD_TOOLS_ID)
    set_tick(user=a_reader, item=item, done=True)
    client.get(post.get_absolute_url())  # now in the page cache, with the old id

    run_the_migration()

    post.refresh_from_db()
    assert [h["id"] for h in post.headings] == ["set-up-your-tools", "write-daily"]
    assert post.heading_aliases == {OLD_TOOLS_ID: "set-up-your-tools"}
    item.refresh_from_db()
    assert item.anchor == "set-up-your-tools"
    assert Tick.objects.get(user=a_reader).item == item
    page = parse(client.get(post.get_absolute_url()))
    # A link shared with the old id lands inside the heading it meant.
    assert page.find(id=OLD_TOOLS_ID).parent["id"] == "set-up-your-tools"
    client.force_login(a_reader)
    body = parse(client.get(post.get_absolute_url())).find("div", class_="post-body")
    assert "checked" in body.find("input", id="check-set-up-your-tools").attrs


@pytest.mark.django_db
def test_the_old_id_stays_an_alias_after_later_saves():
    post = make_post(body=f"## {TOOLS}\n\nText.\n")
    as_before_issue_22(post)
    run_the_migration()
    post.refresh_from_db()
    post.body += "\nOne more line.\n"
    post.save()
    post.refresh_from_db()
    assert post.body_html.count(f'id="{OLD_TOOLS_ID}"') == 1
    assert post.heading_aliases == {OLD_TOOLS_ID: "set-up-your-tools"}


@pytest.mark.django_db
def test_the_migration_leaves_posts_without_such_marks_alone(django_assert_num_queries):
    make_post()
    with django_assert_num_queries(1):  # reading the posts; no write
        run_the_migration()
