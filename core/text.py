"""Small rules about readers' text that several apps share: what counts as visible, and
how a name is set apart from the sentence around it in plain text."""

import math
import unicodedata

from django.utils.translation import ngettext

# Characters Unicode files as letters or symbols that draw nothing: the Hangul fillers
# (U+115F, U+1160, U+3164, U+FFA0) and the blank Braille pattern (U+2800). Spaces,
# format and control characters and lone combining marks are not letters to begin with.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def is_visible(char):
    """Whether ``char`` (one character) draws something by itself: a letter, digit,
    punctuation mark or symbol (Unicode general categories L, N, P, S), less the
    characters in BLANK_LOOKING."""
    return unicodedata.category(char)[0] in "LNPS" and char not in BLANK_LOOKING


def has_visible_character(text):
    """Whether ``text`` (str) has at least one visible character (see is_visible): text
    made only of spaces, zero-width or direction characters, fillers or combining marks
    has none (issue 11)."""
    return any(map(is_visible, text))


def isolate(text):
    """``text`` (str) wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE
    (U+2068 ... U+2069, Unicode Bidirectional Algorithm, UAX #9): in plain text, where
    HTML's <bdi> is not available, right-to-left letters or direction marks in a name
    cannot reorder the words around it."""
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"


def duration_words(seconds):
    """A duration (seconds: int or float, rounded up to a whole second, at least one) in
    words with correct plurals: "1 minute", "15 minutes", "1 hour and 30 seconds"."""
    hours, rest = divmod(max(1, math.ceil(seconds)), 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        ngettext(singular, plural, count) % {"count": count}
        for count, singular, plural in (
            (hours, "%(count)d hour", "%(count)d hours"),
            (minutes, "%(count)d minute", "%(count)d minutes"),
            (seconds, "%(count)d second", "%(count)d seconds"),
        )
        if count
    ]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
