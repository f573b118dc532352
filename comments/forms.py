from django import forms
from django.conf import settings

from .models import Comment, Flag


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown: *emphasis*, **strong**, [links](https://…), lists, > quotes, `code`.",
        # Whitespace-only must fail as empty; Django's CharField strips by default.
        strip=True,
        error_messages={"required": "Write something before posting."},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A field people never see: a script that fills in every field gives itself away.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, post=None, **kwargs):
        self.post = post
        super().__init__(*args, **kwargs)
        limit = settings.COMMENTS_MAX_LENGTH
        self.fields["body"].max_length = limit
        self.fields["body"].widget.attrs["maxlength"] = limit
        self.fields["body"].validators.append(
            forms.fields.validators.MaxLengthValidator(
                limit, f"Keep it under {limit:,} characters (it has %(show_value)s)."
            )
        )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError("This field must be left empty.", code="honeypot")
        return ""

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        parent = (
            Comment.objects.approved()
            .filter(pk=parent_id, post=self.post, is_removed=False)
            .select_related("parent")
            .first()
        )
        if parent is None:
            raise forms.ValidationError("The comment you are replying to is not available.")
        return parent

    @property
    def is_honeypot_hit(self):
        return any(error.code == "honeypot" for error in self.errors.as_data().get("website", []))


class EditCommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write something, or delete the comment instead."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.COMMENTS_MAX_LENGTH
        self.fields["body"].max_length = limit
        self.fields["body"].validators.append(
            forms.fields.validators.MaxLengthValidator(
                limit, f"Keep it under {limit:,} characters (it has %(show_value)s)."
            )
        )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Flag.Reason.choices, label="Why should a moderator look?", widget=forms.RadioSelect
    )
    note = forms.CharField(max_length=300, required=False, label="Anything to add (optional)")
