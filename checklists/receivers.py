from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .progress import merge_session_ticks


@receiver(user_logged_in, dispatch_uid="checklists_merge_session_ticks")
def merge_visitor_ticks(sender, request, user, **kwargs):
    # Django's log-in signal is the one place every log-in passes (password, sign-up,
    # email confirmation, social): a visitor's ticks join the account there.
    if request is not None and hasattr(request, "session"):
        merge_session_ticks(user=user, session=request.session)
