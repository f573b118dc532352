"""Moderators search comments by their readers' public names (comments.admin): on
PostgreSQL a trigram index finds the names that hold a word without reading every reader
(issue 23)."""

from django.db import migrations

from core.postgres import trigram_index


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_display_name_skeletons")]
    operations = [trigram_index("accounts_user", "display_name", "user_display_name_trgm")]
