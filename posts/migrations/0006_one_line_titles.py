"""A post's title is one line (issue 19): a title with a line break made every email that
names it fail at every attempt. Titles saved before Post.save() folded their white space
are folded here, as the page showed them (HTML folds white space too)."""

from django.db import migrations


def fold_titles(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    for post in Post.objects.only("pk", "title").iterator():
        folded = " ".join(post.title.split())
        if folded != post.title:
            Post.objects.filter(pk=post.pk).update(title=folded)


class Migration(migrations.Migration):
    dependencies = [("posts", "0005_category_slug_any_script")]

    operations = [migrations.RunPython(fold_titles, migrations.RunPython.noop)]
