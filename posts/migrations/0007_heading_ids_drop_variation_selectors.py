"""Heading ids without invisible marks (issue 22), keeping every tick and link.

A heading ending in an emoji had an id ending in a hyphen and an invisible variation
selector ("set-up-your-tools-" + U+FE0F): posts.markdown.heading_id now drops the marks
nobody sees. As 0004_unicode_heading_ids did, each post whose stored ids hold such a
mark is rendered again and, for each heading whose id changed:

* its checklist item takes the new id (ticks hang on the item, so none is lost);
* the old id becomes an alias, an empty element inside the heading, so links shared
  with it still land on the same heading.

Only those posts are touched: every other post, whatever renderer options it has,
is left exactly as stored.
"""

import unicodedata
from importlib import import_module

from django.db import migrations

from core.signals import rows_changed
from posts.markdown import IGNORABLE_MARKS

issue_10 = import_module("posts.migrations.0004_unicode_heading_ids")


def has_unseen_mark(anchor):
    """Whether an id (str) holds a mark the new rule drops: a default-ignorable one
    (a variation selector, ...) or an enclosing one (category Me, a keycap)."""
    return bool(IGNORABLE_MARKS.search(anchor)) or any(
        unicodedata.category(char) == "Me" for char in anchor
    )


def _render(post, aliases):
    """Render a stored post as Post.render() does today, with ``aliases``.

    Through an unsaved instance of today's model built from the stored row, so that
    whatever options render() takes from the post now (math, and any added later) come
    from this post's own values rather than defaults.
    """
    from posts.models import Post as CurrentPost

    known = {field.attname for field in CurrentPost._meta.concrete_fields}
    values = {
        field.attname: getattr(post, field.attname)
        for field in post._meta.concrete_fields
        if field.attname in known
    }
    current = CurrentPost(**values)
    current.heading_aliases = aliases
    current.render()
    return current


def drop_unseen_marks(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    ChecklistItem = apps.get_model("checklists", "ChecklistItem")
    rewritten = False
    for post in Post.objects.order_by("pk").iterator():
        stored = post.headings or []
        if not any(has_unseen_mark(heading["id"]) for heading in stored):
            continue
        new = _render(post, dict(post.heading_aliases or {})).headings
        new_ids = {heading["id"] for heading in new}
        # The same body gives the same headings in the same order: pair them by
        # position, and only where the text agrees (a stale row is left alone).
        renamed = {
            old["id"]: heading["id"]
            for old, heading in zip(stored, new, strict=False)
            if old["text"] == heading["text"] and old["id"] != heading["id"]
        }
        aliases = dict(post.heading_aliases or {})
        aliases.update({old: current for old, current in renamed.items() if old not in new_ids})
        rendered = _render(post, aliases)
        Post.objects.filter(pk=post.pk).update(
            body_html=rendered.body_html, headings=rendered.headings, heading_aliases=aliases
        )
        issue_10._move_items(ChecklistItem, post, renamed, new_ids)
        rewritten = True
    if rewritten:
        # Written past Model.save(): cached post pages hear of it the way every such
        # write is routed (core.signals), or they would keep the old ids.
        from posts.models import Post as CurrentPost

        rows_changed.send(
            sender=CurrentPost, fields={"body_html", "headings", "heading_aliases"}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0006_one_line_titles"),
        ("checklists", "0003_checklist_text_names_the_box"),
    ]

    operations = [migrations.RunPython(drop_unseen_marks, migrations.RunPython.noop)]
