"""Readers' display names: what a name may hold, and which names it may not pose as.

- The PRECIS Nickname profile (RFC 8266, through precis-i18n) maps and normalizes a name
  (NFKC, other spaces to one ASCII space, trimmed) and refuses what PRECIS refuses:
  control, format and direction characters (RLO, RLI, ...), lone zero-width characters,
  the byte order mark, word joiner, Hangul fillers and unassigned code points. It keeps
  the joiners that scripts need (ZWJ after a virama, ZWNJ where RFC 5892 allows it);
  the joiners of emoji sequences (UTS #51), which PRECIS predates, are kept as well.
- Then a name needs a visible character and at most MAX_LENGTH characters (issue 11:
  these checks come after PRECIS, so invisible characters cannot pad or fake a name).
- A name may not hold an email address or angle brackets (issue 18): names head
  emails' subjects and lines, where ``Bob <x@evil.test>`` would read as an address.
- A name may not be confusable with a staff member's name, one of the site's own labels
  or, for a reader, the name of another reader who has commented (issue 18): their
  skeletons must differ. A skeleton is UTS #39's, case-folded, extended by SUBSTITUTIONS
  (digits read as letters, and i, l, 1, I as one letter): "Admin" with a Cyrillic "А",
  a zero-width space, or "Adm1n" is refused. Users' skeletons are stored in two indexed
  columns (User.skeleton_folded_first, User.skeleton_mapped_first), so a check is one
  query whatever the number of readers.
"""

import re
import unicodedata
from functools import cache

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.text import has_visible_character

MAX_LENGTH = 50
# Longest skeleton kept in a column: a prototype may be a few characters long ("m" is
# "rn"); both sides of a comparison are cut the same way.
SKELETON_LENGTH = 255
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


# Substitutions read as the same letter that UTS #39's confusables leave apart, applied
# with its prototypes at every round of skeleton() (issue 18): the digits and symbols of
# "leetspeak", and "i" and "!" joined to the class of "l", "1", "I" and "|" (UTS #39 maps
# those to "l" but leaves "i" alone, so "Adm1n" did not meet "Admin"). README "Display
# names" lists them; tests/accounts/test_name_lookalikes.py checks each.
SUBSTITUTIONS = {
    "0": "o",
    "1": "l",
    "2": "z",
    "3": "e",
    "4": "a",
    "5": "s",
    "6": "b",
    "7": "t",
    "8": "b",
    "9": "g",
    "i": "l",
    "!": "l",
    "@": "a",
    "$": "s",
}
# Something that reads as an email address: a character, "@", a character ("x@evil"),
# or "@" before a dotted domain ("@evil.test"); and angle brackets, which frame one.
ADDRESS = re.compile(r"[^\s@]@[^\s@]|@\s*[\w-]+(?:\.[\w-]+)+|[<>]")


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
    if looks_like_address(name):
        raise ValidationError(
            "A name cannot hold an email address or angle brackets (< >): it heads the "
            "emails about your comments, where it must not read as an address.",
            code="address",
        )
    return name


def looks_like_address(name):
    """Whether ``name`` (str, PRECIS-enforced) holds something that reads as an email
    address or its angle brackets (issue 18), also when written with look-alikes of "<",
    ">" or "@" (UTS #39 prototypes: "‹x@evil.test›"). Returns a bool."""
    return ADDRESS.search(_mapped(name, _prototypes(), {})) is not None


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
    tell two names apart, with SUBSTITUTIONS applied beside UTS #39's prototypes (issue
    18). Only for comparing: never shown; compare names with skeletons(), which takes
    both orders.

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
    return current[:SKELETON_LENGTH]


def _mapped(text, prototypes, substitutions=SUBSTITUTIONS):
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFD", "".join(substitutions.get(c) or prototypes.get(c, c) for c in decomposed)
    )


def skeletons(text):
    """The skeletons of ``text`` (a set of str): two names can be mistaken for each other
    when their skeletons meet. Both orders are needed: folding first keeps "ADMIN" and
    "Admin" together, where the capital I would otherwise map to "l"; mapping first
    keeps "PauI" and "Paul" together, where folding would first make the I an "i"."""
    return {skeleton(text), skeleton(text, fold_first=False)}


def skeleton_columns(name):
    """{column: skeleton} of ``name`` (str) for User's two skeleton columns; empty for
    an empty name."""
    if not name:
        return {"skeleton_folded_first": "", "skeleton_mapped_first": ""}
    return {
        "skeleton_folded_first": skeleton(name),
        "skeleton_mapped_first": skeleton(name, fold_first=False),
    }


def _reserved_names():
    """{skeleton: word} of RESERVED and the site's name."""
    return {key: name for name in (*RESERVED, settings.SITE_NAME) for key in skeletons(name)}


def names_not_to_pose_as(*, user=None):
    """{skeleton: name} of the staff names and site words ``user`` (a User being named,
    or None for a new reader) may not take: every other staff member's, and the RESERVED
    words unless ``user`` is staff. (The Disqus import's list; a name typed on the site
    is checked by check_not_posing(), which also looks at readers who commented.)"""
    people = get_user_model().objects.exclude(display_name="")
    if user is not None and user.pk:
        people = people.exclude(pk=user.pk)
    if user is None or not user.is_staff:
        people = people.filter(is_staff=True)
    names = {key: name for name in people.values_list("display_name", flat=True)
             for key in skeletons(name)}  # fmt: skip
    if user is None or not user.is_staff:
        names.update(_reserved_names())
    return names


def name_taken(name, *, user=None):
    """The name (str) that ``name`` (str, normalized) can be mistaken for, with whose it
    is ("site", "staff" or "reader"), as a tuple; None when it is free.

    A reader (``user`` None for a new one, or a User who is not staff) may not take a
    RESERVED word, the site's name, a staff member's name, or the name of another reader
    who has commented (issue 18): their comments would read as someone else's. A staff
    member may not take any other account's name. One query, on the indexed skeleton
    columns."""
    keys = skeletons(name)
    staff = user is not None and user.is_staff
    if not staff:
        reserved = _reserved_names()
        word = next((reserved[key] for key in keys if key in reserved), None)
        if word is not None:
            return word, "site"
    people = (
        get_user_model()
        .objects.exclude(display_name="")
        .filter(Q(skeleton_folded_first__in=keys) | Q(skeleton_mapped_first__in=keys))
    )
    if user is not None and user.pk:
        people = people.exclude(pk=user.pk)
    if not staff:
        people = people.filter(Q(is_staff=True) | Q(comments__isnull=False))
    other = people.values_list("display_name", "is_staff").first()
    if other is None:
        return None
    return other[0], "staff" if other[1] else "reader"


def check_not_posing(name, *, user=None):
    """Raise ValidationError (code "confusable") when ``name`` (str, normalized) can be
    mistaken for a name in name_taken(). The message names the name it resembles, which
    is public, and never whose account it is beyond that (no email address)."""
    taken = name_taken(name, user=user)
    if taken is None:
        return
    taken_name, whose = taken
    if user is not None and user.is_staff:
        message = (
            "This name can be mistaken for “%(taken)s”, another reader's or staff "
            "member's name; choose another."
        )
    elif whose == "reader":
        message = (
            "This name can be mistaken for “%(taken)s”, the name another reader comments "
            "under; choose another."
        )
    else:
        message = (
            "This name can be mistaken for “%(taken)s”, a name of this site's staff or its "
            "own; choose another."
        )
    raise ValidationError(message, code="confusable", params={"taken": taken_name})


def cleaned_name(value, taken=()):
    """A stored or imported name (str) made to follow the rules without asking anyone:
    the characters PRECIS refuses are removed, then the result is checked. Returns ""
    when nothing visible remains, when it reads as an email address (looks_like_address),
    or when its skeleton is in ``taken`` (a collection of skeletons). Used by the data
    migration, the clean_display_names command, the Disqus import and sign-up through
    another site."""
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
    if (
        not has_visible_character(text)
        or looks_like_address(text)
        or not skeletons(text).isdisjoint(taken)
    ):
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
    ``createsuperuser`` (all call Field.clean) gets it normalized and checked, look-alikes
    included (check_not_posing; ``createsuperuser`` names a staff member). Lookups and
    saves are left alone: a search for any text must not fail."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def clean(self, value, model_instance):
        # Field.clean, with PRECIS before the blank and length checks (issue 11).
        value = self.to_python(value)
        if value:
            value = normalize_display_name(value)
            # No instance: createsuperuser, whose account is staff.
            named = model_instance if model_instance is not None else self.model(is_staff=True)
            check_not_posing(value, user=named)
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
    reserved = set(_reserved_names())
    with_columns = any(f.name == "skeleton_folded_first" for f in user_model._meta.fields)
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
                columns = skeleton_columns(new) if with_columns else {}
                user_model.objects.filter(pk=user.pk).update(display_name=new, **columns)
    return changes
