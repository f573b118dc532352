"""Existing display names made to follow the rules of accounts.names (issue 11): the
characters PRECIS refuses are removed (zero-width and direction characters, fillers);
a name left without a visible character, or confusable with a staff member's name or
the site's own words, is emptied and shows as "Anonymous reader" until its reader
chooses another. `manage.py clean_display_names --dry-run` lists what it would change."""

from django.db import migrations


def clean(apps, schema_editor):
    from accounts.names import clean_stored_names

    clean_stored_names(apps.get_model("accounts", "User"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_display_name_rules"),
    ]

    operations = [
        migrations.RunPython(clean, migrations.RunPython.noop, elidable=True),
    ]
