from django.db import migrations

# Issue 27: sensible rules shipped, off until a moderator turns them on.
SHORTENERS = """bit.ly
buff.ly
cutt.ly
goo.gl
is.gd
lnkd.in
ow.ly
rb.gy
rebrand.ly
shorturl.at
t.co
t.ly
tiny.cc
tinyurl.com"""

DEFAULTS = [
    {
        "name": "More than 2 links from a reader with no approved comment",
        "kind": "links",
        "max_links": 2,
        "below_approved": 1,
        "outcome": "hold",
    },
    {
        "name": "Links through a link shortener",
        "kind": "domains",
        "domains": SHORTENERS,
        "outcome": "hold",
    },
]


def add_defaults(apps, schema_editor):
    ModerationRule = apps.get_model("comments", "ModerationRule")
    for fields in DEFAULTS:
        ModerationRule.objects.get_or_create(
            name=fields["name"], defaults={**fields, "enabled": False}
        )


def remove_defaults(apps, schema_editor):
    ModerationRule = apps.get_model("comments", "ModerationRule")
    ModerationRule.objects.filter(name__in=[rule["name"] for rule in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("comments", "0012_moderation_rules")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
