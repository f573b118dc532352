"""Imported Disqus comments (issue 11): their plain text is made again from their HTML
with paragraphs apart (it read "daily.Second line"), and their authors' names follow
the display name rules of accounts.names ("Disqus reader" where nothing usable is left,
or where the name could pass for a staff member's)."""

from django.db import migrations


def clean_imported(apps, schema_editor):
    from accounts.names import RESERVED, cleaned_name, skeletons
    from comments.rendering import plain_text

    Comment = apps.get_model("comments", "Comment")
    User = apps.get_model("accounts", "User")
    staff = User.objects.filter(is_staff=True).values_list("display_name", flat=True)
    taken = {key for name in (*RESERVED, *staff) for key in skeletons(name)}
    imported = Comment.objects.filter(disqus_id__isnull=False)
    changed = []
    for comment in imported.only("pk", "body", "body_html", "author_name", "is_removed"):
        text = comment.body if comment.is_removed else plain_text(comment.body_html)
        name = cleaned_name(comment.author_name, taken) or "Disqus reader"
        if (text, name) != (comment.body, comment.author_name):
            comment.body, comment.author_name = text, name
            changed.append(comment)
    Comment.objects.bulk_update(changed, ["body", "author_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0003_pending_edits"),
        ("accounts", "0006_clean_display_names"),
    ]

    operations = [
        migrations.RunPython(clean_imported, migrations.RunPython.noop, elidable=True),
    ]
