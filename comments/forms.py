from django import forms
from django.conf import settings

from core.text import has_visible_character

from .models import Comment, Flag
from .rendering import plain_text, render_comment
from .rules import Action, may_act_on, may_comment, standing_of


class CommentTextField(forms.CharField):
    """A comment's text. Browsers send each line break as two characters; they count as
    one, as the reader sees it and as the textarea's own maxlength counts."""

    def __init__(self, **kwargs):
        super().__init__(strip=True, widget=forms.Textarea(attrs={"rows": 5}), **kwargs)

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")

    def validate(self, value):
        """Refuse text that would show as nothing: only spaces, zero-width or direction
        characters, or Markdown around them (issue 11). The text is otherwise kept as
        written."""
        super().validate(value)
        if value and not has_visible_character(plain_text(render_comment(value))):
            raise forms.ValidationError(
                "This text would show as nothing: it has no visible character.",
                code="invisible",
            )

    def limit_length(self):
        """Apply COMMENTS_MAX_LENGTH, read per form so a changed setting takes effect."""
        limit = settings.COMMENTS_MAX_LENGTH
        self.max_length = limit
        self.widget.attrs["maxlength"] = limit
        self.validators.append(
            forms.fields.validators.MaxLengthValidator(
                limit, f"Keep it to {limit:,} characters at most (it has %(show_value)s)."
            )
        )


class CommentForm(forms.Form):
    # Whitespace-only fails as empty: the field strips before checking.
    body = CommentTextField(
        label="Your comment",
        help_text="Markdown: *emphasis*, **strong**, [links](https://…), lists, > quotes, `code`.",
        error_messages={"required": "Write something before posting."},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A field people never see: a script that fills in every field gives itself away.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, post, user, standing=None, **kwargs):
        self.post = post
        self.user = user
        if standing is None and user.is_authenticated:
            standing = standing_of(user)
        self.standing = standing
        # Asked once per form: the view refuses with its status before validating, the
        # page shows its reason instead of the form, and clean() refuses all the same.
        self.permission = may_comment(user, post, standing=standing)
        super().__init__(*args, **kwargs)
        self.fields["body"].limit_length()

    def clean(self):
        if not self.permission:
            raise forms.ValidationError(self.permission.reason, code="not_allowed")
        return super().clean()

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError("This field must be left empty.", code="honeypot")
        return ""

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        parent = (
            Comment.objects.filter(pk=parent_id, post=self.post).select_related("parent").first()
        )
        if parent is None or not may_act_on(
            self.user, parent, Action.REPLY, post=self.post, standing=self.standing
        ):
            raise forms.ValidationError("The comment you are replying to is not available.")
        return parent

    @property
    def is_honeypot_hit(self):
        return any(error.code == "honeypot" for error in self.errors.as_data().get("website", []))


class EditCommentForm(forms.Form):
    body = CommentTextField(
        label="Your comment",
        error_messages={"required": "Write something, or delete the comment instead."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].limit_length()


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Flag.Reason.choices, label="Why should a moderator look?", widget=forms.RadioSelect
    )
    note = forms.CharField(max_length=300, required=False, label="Anything to add (optional)")
