"""Readers' display names: what a name may hold, and which names it may not pose as.

- The PRECIS Nickname profile (RFC 8266, through precis-i18n) maps and normalizes a name
  (NFKC, other spaces to one ASCII space, trimmed) and refuses what PRECIS refuses:
  control, format and direction characters (RLO, RLI, ...), lone zero-width characters,
  the byte order mark, word joiner, Hangul fillers and unassigned code points. It keeps
  the joiners that scripts need (ZWJ after a virama, ZWNJ where RFC 5892 allows it);
  the joiners of emoji sequences (UTS #51), which PRECIS predates, are kept as well.
- Then a name needs a visible character and at most MAX_LENGTH characters (issue 11:
  these checks come after PRECIS, so invisible characters cannot pad or fake a name).
- A name may not be confusable with a staff member's name or one of the site's own
  labels: their UTS #39 skeletons, case-folded, must differ ("Admin" with a Cyrillic
  "А" or a zero-width space is refused).
"""

import unicodedata
from functools import cache

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models

from advice_site.text import has_visible_character

MAX_LENGTH = 50
EMOJI_ZWJ, EMOJI_PRESENTATION = "\u200d", "\ufe0f"
# Stand-ins for emoji joiners while PRECIS runs (both are symbols PRECIS allows and NFKC
# keeps); a name may not hold them itself.
STAND_INS = {EMOJI_ZWJ: "\ufffc", EMOJI_PRESENTATION: "\ufffd"}
# The site's own words for people and placeholders: nobody may be named like them.
RESERVED = (
    "Admin",
    "Administrator",
    "Moderator",
    "Anonymous reader",
    "Former reader",
    "Disqus reader",
    "[deleted]",
    "[removed]",
    "[hidden]",
    "[awaiting moderation]",
)


@cache
def _nickname():
    from precis_i18n import get_profile

    return get_profile("NicknameCasePreserved")


def _pictographic(char):
    """Whether ``char`` may stand in an emoji sequence: a symbol (So, which holds the
    emoji) or a skin tone modifier (U+1F3FB..U+1F3FF)."""
    return unicodedata.category(char) == "So" or "\U0001f3fb" <= char <= "\U0001f3ff"


def _with_stand_ins(text):
    """``text`` with the ZWJ and U+FE0F of emoji sequences replaced by STAND_INS."""
    chars = list(text)
    for index, char in enumerate(chars):
        before = chars[index - 1] if index else ""
        after = chars[index + 1] if index + 1 < len(chars) else ""
        after_emoji = bool(before) and _pictographic(before)
        if (char == EMOJI_PRESENTATION and after_emoji) or (
            char == EMOJI_ZWJ
            and (after_emoji or before == STAND_INS[EMOJI_PRESENTATION])
            and bool(after)
            and _pictographic(after)
        ):
            chars[index] = STAND_INS[char]
    return "".join(chars)


def precis_nickname(value):
    """``value`` (str) enforced by the PRECIS NicknameCasePreserved profile (RFC 8266),
    with emoji joiners kept; tabs and line breaks count as spaces.

    Raises UnicodeEncodeError (from precis-i18n) at the first character refused, and for
    a name that comes to nothing ("DISALLOWED/empty").
    """
    text = " ".join(value.split())
    for stand_in in STAND_INS.values():
        if stand_in in text:
            index = text.index(stand_in)
            raise UnicodeEncodeError("Nickname", text, index, index + 1, "DISALLOWED/stand_in")
    text = _nickname().enforce(_with_stand_ins(text))
    for joiner, stand_in in STAND_INS.items():
        text = text.replace(stand_in, joiner)
    return text


def normalize_display_name(value):
    """A display name (str) as stored: PRECIS-enforced, then checked for a visible
    character and for length. Raises ValidationError with a sentence for the reader."""
    try:
        name = precis_nickname(value)
    except UnicodeEncodeError as error:
        if error.reason == "DISALLOWED/empty":
            raise ValidationError("Enter the name other readers will see.", code="blank") from None
        char = error.object[error.start]
        raise ValidationError(
            "A name cannot contain %(char)s: invisible characters, text-direction controls "
            "and fillers would let a name hide or pose as someone else's.",
            code="disallowed",
            params={"char": f"U+{ord(char):04X} {unicodedata.name(char, '(unnamed)')}"},
        ) from None
    if not has_visible_character(name):
        raise ValidationError(
            "A name needs at least one visible letter, digit or symbol.", code="invisible"
        )
    if len(name) > MAX_LENGTH:
        raise ValidationError(
            "Keep it to %(limit)d characters at most (it has %(length)d).",
            code="max_length",
            params={"limit": MAX_LENGTH, "length": len(name)},
        )
    return name


@cache
def _prototypes():
    """Each character's prototype in Unicode's confusables.txt (UTS #39), derived from
    the pairs confusable-homoglyphs ships: a source character has exactly one partner,
    its prototype; a prototype with one source is told apart by the partner's other
    pairs, and for a lone pair either one stands for both (equal skeletons stay equal).
    Direction marks around right-to-left characters in the data are dropped."""
    from confusable_homoglyphs.confusables import confusables_data

    marks = str.maketrans("", "", "\u200e\u200f")
    pairs = {
        key.translate(marks): {entry["c"].translate(marks) for entry in entries}
        for key, entries in confusables_data.items()
    }
    prototypes = {}
    for char, partners in pairs.items():
        if len(char) != 1 or len(partners) != 1:
            continue  # a sequence, or a prototype with several sources
        (partner,) = partners
        if len(partner) > 1 or len(pairs.get(partner, ())) > 1:
            prototypes[char] = partner
        else:
            prototypes[char] = min(char, partner)
    return prototypes


def skeleton(text, *, fold_first=True):
    """The UTS #39 skeleton (str) of ``text`` (str), case-folded so that case does not
    tell two names apart. Only for comparing: never shown; compare names with
    skeletons(), which takes both orders.

    Case-folding and the prototype mapping repeat until nothing changes, since some
    prototypes are capitals ("0" maps to "O"): "B0ss" and "Boss" share the skeleton
    "boss". ``fold_first`` folds before the first mapping ("ADMIN" is "Admin"); without
    it capitals are mapped first, as they look ("PauI", with a capital I, maps to "Paul").
    Each round only lowers or maps characters, so it ends within a few rounds."""
    prototypes = _prototypes()
    previous, current = None, text if fold_first else _mapped(text, prototypes)
    while current != previous:
        previous = current
        current = _mapped(current.casefold(), prototypes)
    return current


def _mapped(text, prototypes):
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(prototypes.get(c, c) for c in decomposed))


def skeletons(text):
    """The skeletons of ``text`` (a set of str): two names can be mistaken for each other
    when their skeletons meet. Both orders are needed: folding first keeps "ADMIN" and
    "Admin" together, where the capital I would otherwise map to "l"; mapping first
    keeps "PauI" and "Paul" together, where folding would first make the I an "i"."""
    return {skeleton(text), skeleton(text, fold_first=False)}


def names_not_to_pose_as(*, user=None):
    """{skeleton: name} of the names ``user`` (a User being named, or None for a new
    reader) may not take: every other staff member's, and the RESERVED words unless
    ``user`` is staff. A staff member may not take a reader's name either."""
    people = get_user_model().objects.exclude(display_name="")
    if user is not None and user.pk:
        people = people.exclude(pk=user.pk)
    if user is None or not user.is_staff:
        people = people.filter(is_staff=True)
    names = list(people.values_list("display_name", flat=True))
    if user is None or not user.is_staff:
        names += [*RESERVED, settings.SITE_NAME]
    return {key: name for name in names for key in skeletons(name)}


def check_not_posing(name, *, user=None):
    """Raise ValidationError when ``name`` (str, normalized) can be mistaken for a name
    in names_not_to_pose_as()."""
    taken_names = names_not_to_pose_as(user=user)
    taken = next((taken_names[key] for key in skeletons(name) if key in taken_names), None)
    if taken:
        if user is not None and user.is_staff:
            message = (
                "This name can be mistaken for “%(taken)s”, another reader's or staff "
                "member's name; choose another."
            )
        else:
            message = (
                "This name can be mistaken for “%(taken)s”, a name of this site's staff or its "
                "own; choose another."
            )
        raise ValidationError(message, code="confusable", params={"taken": taken})


def cleaned_name(value, taken=()):
    """A stored or imported name (str) made to follow the rules without asking anyone:
    the characters PRECIS refuses are removed, then the result is checked. Returns ""
    when nothing visible remains, or when its skeleton is in ``taken`` (a collection of
    skeletons). Used by the data migration, the clean_display_names command, the Disqus
    import and sign-up through another site."""
    text = value
    while text:
        try:
            text = precis_nickname(text)
            break
        except UnicodeEncodeError as error:
            if error.reason == "DISALLOWED/empty":
                return ""
            # The refused character, cut from the text as PRECIS had it by then.
            text = error.object[: error.start] + error.object[error.end :]
            for joiner, stand_in in STAND_INS.items():
                text = text.replace(stand_in, joiner)
    text = text[:MAX_LENGTH].strip()
    if not has_visible_character(text) or not skeletons(text).isdisjoint(taken):
        return ""
    return text


class DisplayNameFormField(forms.CharField):
    """A display name in a form: normalized and checked by normalize_display_name()."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("dir", "auto")

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_display_name(value) if value else value


class DisplayNameField(models.CharField):
    """A display name in the database: whatever sets it through a form, the admin or
    ``createsuperuser`` (all call Field.clean) gets it normalized and checked. Lookups and
    saves are left alone: a search for any text must not fail."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def clean(self, value, model_instance):
        # Field.clean, with PRECIS before the blank and length checks (issue 11).
        value = self.to_python(value)
        if value:
            value = normalize_display_name(value)
        self.validate(value, model_instance)
        self.run_validators(value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": DisplayNameFormField, **kwargs})


def clean_stored_names(user_model, *, dry_run=False):
    """Make the display names stored in ``user_model`` (the User model, or its
    historical version in a migration) follow the rules; returns the changes made (or
    that would be, with ``dry_run``) as [(pk, old name, new name)].

    Staff names are cleaned first, then readers' names, which may not be confusable
    with them or the reserved words; a name with nothing usable left becomes "" (shown
    as "Anonymous reader" until its reader chooses another).
    """
    reserved = {key for name in (*RESERVED, settings.SITE_NAME) for key in skeletons(name)}
    staff = set()
    changes = []
    users = user_model.objects.order_by("-is_staff", "pk").only("pk", "display_name", "is_staff")
    for user in users.iterator():
        if user.is_staff:
            new = cleaned_name(user.display_name)
            staff.update(skeletons(new))
        else:
            new = cleaned_name(user.display_name, reserved | staff)
        if new != user.display_name:
            changes.append((user.pk, user.display_name, new))
            if not dry_run:
                user_model.objects.filter(pk=user.pk).update(display_name=new)
    return changes
