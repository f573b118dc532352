"""Heading ids from the text of every script (issue 10), keeping every tick and link.

Until now a heading's id kept ASCII letters only, so the headings of a Russian post
were "section", "section-2", ... by position. This migration renders each post again
with the new rule and, for each heading whose id changed:

* its checklist item takes the new id (ticks hang on the item, so none is lost);
* the old id becomes an alias, an empty element inside the heading, so links shared
  with it (such as #section-2) still land on the same heading.

Archived items take the id their text now gives, when it is free, so the heading
coming back later finds them (and their ticks) again. Plain-ASCII headings keep their
ids, so most posts are rewritten identically.
"""

from django.db import migrations

from core.signals import rows_changed
from posts.markdown import heading_id, render


def _headings(rendered):
    return [
        {"id": h.id, "text": h.text, "level": h.level, "checklist": h.checklist}
        for h in rendered.headings
    ]


def recompute_heading_ids(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    ChecklistItem = apps.get_model("checklists", "ChecklistItem")
    rewritten = False
    for post in Post.objects.order_by("pk").iterator():
        # The dialect a post has now (an imported one is kramdown); none had one then.
        dialect = getattr(post, "dialect", "commonmark")
        new = render(post.body, math=post.use_math, dialect=dialect).headings
        new_ids = {heading.id for heading in new}
        # The same body gives the same headings in the same order: pair them by
        # position, and only where the text agrees (a stale row is left alone).
        renamed = {
            old["id"]: heading.id
            for old, heading in zip(post.headings or [], new, strict=False)
            if old["text"] == heading.text and old["id"] != heading.id
        }
        aliases = dict(post.heading_aliases or {})
        aliases.update({old: current for old, current in renamed.items() if old not in new_ids})
        rendered = render(post.body, math=post.use_math, aliases=aliases, dialect=dialect)
        if rendered.html != post.body_html or aliases != (post.heading_aliases or {}):
            Post.objects.filter(pk=post.pk).update(
                body_html=rendered.html, headings=_headings(rendered), heading_aliases=aliases
            )
            rewritten = True
        rewritten = _move_items(ChecklistItem, post, renamed, new_ids) or rewritten
    if rewritten:
        # Written past Model.save(): cached post pages hear of it the way every such
        # write is routed (core.signals), or they would keep the old ids.
        from posts.models import Post as CurrentPost

        rows_changed.send(
            sender=CurrentPost, fields={"body_html", "headings", "heading_aliases"}
        )


def _move_items(ChecklistItem, post, renamed, new_ids):
    items = list(ChecklistItem.objects.filter(post=post).order_by("pk"))
    targets = {}
    for item in items:
        if item.archived_at is None and item.anchor in renamed:
            targets[item.pk] = renamed[item.anchor]
    taken = set(targets.values()) | {
        item.anchor for item in items if item.pk not in targets and item.archived_at is None
    }
    for item in items:
        if item.archived_at is None:
            continue
        wanted = heading_id(item.text)
        if wanted != item.anchor and wanted not in taken and wanted not in new_ids:
            targets[item.pk] = wanted
        elif item.anchor in taken:
            # A current heading now has this archived item's old id: the item steps
            # aside rather than being mistaken for that heading.
            targets[item.pk] = f"{item.anchor}-archived-{item.pk}"
        taken.add(targets.get(item.pk, item.anchor))
    moving = [item for item in items if item.pk in targets and targets[item.pk] != item.anchor]
    # Two steps, so no two items ever hold one anchor (a unique constraint).
    for item in moving:
        item.anchor = f"migrating-{item.pk}"
        item.save(update_fields=["anchor"])
    for item in moving:
        item.anchor = targets[item.pk]
        item.save(update_fields=["anchor"])
    return bool(moving)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0003_dates_history_import_records"),
        ("checklists", "0001_initial"),
    ]

    operations = [migrations.RunPython(recompute_heading_ids, migrations.RunPython.noop)]
