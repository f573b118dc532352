"""Checklist headings without a <label> (issue 18): the box is named by its text.

Clicking or double-clicking a checklist heading's text used to tick it, because the
whole text was the checkbox's <label>. posts.markdown now renders the text in a span
that names the box through aria-labelledby; this migration renders the stored HTML of
every post again so that posts saved before it change too. A post whose HTML comes out
the same is left alone.
"""

from django.db import migrations

from core.signals import rows_changed
from posts.markdown import render


def render_again(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    rewritten = False
    for post in Post.objects.order_by("pk").iterator():
        html = render(post.body, math=post.use_math, aliases=post.heading_aliases).html
        if html != post.body_html:
            Post.objects.filter(pk=post.pk).update(body_html=html)
            rewritten = True
    if rewritten:
        # Written past Model.save(): cached post pages hear of it the way every such
        # write is routed (core.signals), or they would keep the old markup.
        from posts.models import Post as CurrentPost

        rows_changed.send(sender=CurrentPost, fields={"body_html"})


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0002_item_revised_at_and_visits"),
        ("posts", "0005_category_slug_any_script"),
    ]

    operations = [migrations.RunPython(render_again, migrations.RunPython.noop)]
