from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import ngettext

from comments.models import Comment


class Command(BaseCommand):
    help = (
        "Forget the network hash of comments older than COMMENTS_IP_RETENTION_DAYS "
        "(run it daily, e.g. from cron)."
    )

    def handle(self, *args, **options):
        cutoff = timezone.now() - timedelta(days=settings.COMMENTS_IP_RETENTION_DAYS)
        count = Comment.objects.filter(created_at__lt=cutoff).exclude(ip_hash="").update(ip_hash="")
        comments = ngettext("%(count)d comment", "%(count)d comments", count) % {"count": count}
        self.stdout.write(f"Forgot the network of {comments} older than {cutoff:%Y-%m-%d}.")
