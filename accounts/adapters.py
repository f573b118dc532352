from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from advice_site.clients import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """allauth's rate limits see the client as the rest of the site does:
        X-Forwarded-For only from DJANGO_TRUSTED_PROXIES."""
        return client_ip(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """A reader who signs up through GitHub or Google gets a display name too."""
        user = super().populate_user(request, sociallogin, data)
        if not user.display_name:
            # Never the email address, not even the part before the "@": others see
            # the display name, and the email stays private.
            name = data.get("name") or data.get("username") or ""
            user.display_name = " ".join(name.split())[:50] or "Reader"
        return user


def user_display(user):
    """How allauth names a reader (ACCOUNT_USER_DISPLAY): never the email or username."""
    return user.public_name
