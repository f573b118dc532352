from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from posts.page_cache import reader_changed


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_user_saved")
@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_user_deleted")
def forget_readers_cached_pages(sender, instance, **kwargs):
    # A reader's cached pages are served before Django's authentication runs; a new
    # password, a deactivation or a deletion must stop them at once, not in 2 minutes.
    reader_changed(instance.pk)
