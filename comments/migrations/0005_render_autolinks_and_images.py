"""Comments written on the site are rendered again from their Markdown (issue 18): bare
addresses become links and an image becomes "[image: alt]" in the comments stored
before, as in new ones. Imported Disqus comments keep their HTML: their Markdown is only
the plain text made from it."""

from django.db import migrations


def render_again(apps, schema_editor):
    from comments.rendering import render_comment

    Comment = apps.get_model("comments", "Comment")
    written_here = Comment.objects.filter(disqus_id__isnull=True, is_removed=False)
    changed = []
    fields = ("pk", "body", "body_html", "pending_body", "pending_body_html")
    for comment in written_here.only(*fields).iterator(chunk_size=500):
        body_html = render_comment(comment.body) if comment.body else comment.body_html
        pending_html = (
            render_comment(comment.pending_body)
            if comment.pending_body
            else comment.pending_body_html
        )
        if (body_html, pending_html) != (comment.body_html, comment.pending_body_html):
            comment.body_html, comment.pending_body_html = body_html, pending_html
            changed.append(comment)
    Comment.objects.bulk_update(changed, ["body_html", "pending_body_html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_clean_imported_comments"),
    ]

    operations = [
        migrations.RunPython(render_again, migrations.RunPython.noop, elidable=True),
    ]
