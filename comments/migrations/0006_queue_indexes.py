"""The moderation queue at any size (issue 23): newest first through an index, what awaits
a moderator through a partial one, and the search through trigram indexes (PostgreSQL)."""

from django.conf import settings
from django.db import migrations, models

from core.postgres import trigram_index


class Migration(migrations.Migration):

    dependencies = [
        ('comments', '0005_render_autolinks_and_images'),
        ('posts', '0009_table_alignment_classes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['created_at', 'id'], name='comment_created_idx'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(condition=models.Q(('status', 'pending'), ('hidden_by_flags', True), models.Q(('status', 'approved'), models.Q(('pending_body', ''), _negated=True)), _connector='OR'), fields=['created_at', 'id'], name='comment_awaiting_idx'),
        ),
        trigram_index("comments_comment", "body", "comment_body_trgm"),
        trigram_index("comments_comment", "author_name", "comment_author_name_trgm"),
    ]
