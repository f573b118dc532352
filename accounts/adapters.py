from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """A reader who signs up through GitHub or Google gets a display name too."""
        user = super().populate_user(request, sociallogin, data)
        if not user.display_name:
            name = data.get("name") or data.get("username") or ""
            if not name and data.get("email"):
                name = data["email"].split("@")[0]
            user.display_name = " ".join(name.split())[:50] or "Reader"
        return user


def user_display(user):
    """How allauth names a reader (ACCOUNT_USER_DISPLAY): never the email or username."""
    return user.public_name
