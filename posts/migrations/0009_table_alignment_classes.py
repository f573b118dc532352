"""Table column alignment as classes, so the site's CSP lets it show.

GFM tables' alignment (``|:--|--:|``) was rendered as ``style="text-align:..."`` on each
cell, and the Content-Security-Policy (``style-src 'self'``) drops inline styles, so no
column was ever aligned. posts.kramdown now writes ``class="align-..."`` (styled in
static/css/site.css); the stored HTML of the posts that have such cells gets the same
change, cell by cell, and nothing else.
"""

import re

from django.db import migrations

from core.signals import rows_changed

ALIGNED_CELL = re.compile(r'<(th|td) style="text-align:(left|center|right)">')


def alignment_as_classes(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    rewritten = False
    for post in Post.objects.filter(body_html__contains='style="text-align:').iterator():
        html = ALIGNED_CELL.sub(r'<\1 class="align-\2">', post.body_html)
        if html != post.body_html:
            Post.objects.filter(pk=post.pk).update(body_html=html)
            rewritten = True
    if rewritten:
        # Written past Model.save(): cached post pages hear of it (core.signals).
        from posts.models import Post as CurrentPost

        rows_changed.send(sender=CurrentPost, fields={"body_html"})


class Migration(migrations.Migration):
    dependencies = [("posts", "0008_jekyll_addresses_and_metadata")]

    operations = [migrations.RunPython(alignment_as_classes, migrations.RunPython.noop)]
