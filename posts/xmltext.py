"""Text that can go into XML 1.0: the feed, the sitemap, and what posts store.

XML 1.0 (section 2.2, production [2] Char) allows tab, line feed and carriage return
among the C0 controls, and no other; nor U+FFFE, U+FFFF or lone surrogates. A document
holding one is not well-formed, so one form feed pasted from a PDF would break a whole
feed for every reader.
"""

import re

# Every character production [2] forbids.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Of those, the ones Python counts as whitespace (vertical tab, form feed, the
# information separators): a space keeps the words they separated apart.
SPACE_LIKE = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f")


def _replacement(match):
    return " " if match.group(0) in SPACE_LIKE else ""


def xml_safe(text):
    """``text`` (str) without the characters XML 1.0 forbids.

    Space-like controls (VT, FF, FS, GS, RS, US) become a space; the others are
    dropped. Anything that is not a str is returned as it is.
    """
    if not isinstance(text, str):
        return text
    return FORBIDDEN.sub(_replacement, text)


def forbidden_characters(text):
    """The distinct characters of ``text`` that XML 1.0 forbids, as "U+000C" names."""
    return sorted({f"U+{ord(char):04X}" for char in FORBIDDEN.findall(text or "")})
