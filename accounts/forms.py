from django import forms

from .names import DisplayNameFormField, check_not_posing

BLANK_NAME = {"required": "Enter the name other readers will see."}


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form: the public display name."""

    display_name = DisplayNameFormField(
        label="Display name",
        help_text="Shown to other readers. Your email address is never shown.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        error_messages=BLANK_NAME,
    )

    field_order = ["email", "display_name", "password1", "password2"]

    def clean_display_name(self):
        name = self.cleaned_data["display_name"]
        check_not_posing(name)
        return name

    def signup(self, request, user):
        """Called by allauth after the account is created. AccountAdapter.save_user() has
        already set the name on a sign-up with a password; a social sign-up's is saved
        here."""
        name = self.cleaned_data["display_name"]
        if user.display_name != name:
            user.display_name = name
            user.save(update_fields=["display_name"])


class DisplayNameForm(forms.Form):
    display_name = DisplayNameFormField(label="Display name", error_messages=BLANK_NAME)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_display_name(self):
        name = self.cleaned_data["display_name"]
        check_not_posing(name, user=self.user)
        return name


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.has_usable_password():
            raise forms.ValidationError(
                "Your account has no password yet; set one first, then delete the account."
            )
        if not self.user.check_password(password):
            raise forms.ValidationError("That password is not correct.")
        return password
