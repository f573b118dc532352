"""The ticks admin searches readers by their email address (checklists.admin,
core.admin_lists): on PostgreSQL a trigram index finds the addresses that hold a word
without reading every reader (issue 23)."""

from django.db import migrations

from core.postgres import trigram_index


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_username_upper_index")]
    operations = [trigram_index("accounts_user", "email", "user_email_trgm")]
