"""Display names under issue 18's rules: each user's two skeletons stored in indexed
columns (accounts.names.skeleton_columns), so that a new name is compared with the
staff's and commenters' names in one query; and stored names cleaned again by
accounts.names.clean_stored_names, now that names holding an email address or angle
brackets, and digit look-alikes ("Adm1n") of staff names and the site's words, are
refused. `manage.py clean_display_names --dry-run` lists what the cleaning changes."""

from django.db import migrations, models


def clean_and_fill_skeletons(apps, schema_editor):
    from accounts.names import clean_stored_names, skeleton_columns

    User = apps.get_model("accounts", "User")
    clean_stored_names(User)
    batch = []
    for user in User.objects.exclude(display_name="").only("pk", "display_name").iterator():
        for column, value in skeleton_columns(user.display_name).items():
            setattr(user, column, value)
        batch.append(user)
        if len(batch) == 500:
            User.objects.bulk_update(batch, ["skeleton_folded_first", "skeleton_mapped_first"])
            batch = []
    User.objects.bulk_update(batch, ["skeleton_folded_first", "skeleton_mapped_first"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_clean_display_names"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="skeleton_folded_first",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name="user",
            name="skeleton_mapped_first",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["skeleton_folded_first"], name="user_skeleton_folded_idx"),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["skeleton_mapped_first"], name="user_skeleton_mapped_idx"),
        ),
        migrations.RunPython(clean_and_fill_skeletons, migrations.RunPython.noop, elidable=True),
    ]
