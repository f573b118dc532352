"""How moderation rules read a text (issue 27): its words, ignoring case and accents,
and the hosts its links go to, as a browser would follow them. The lowest layer of the
app with comments.models, which checks a rule's lists with the same functions that
comments.screening matches them with.
"""

import re
import unicodedata

import ada_url

WORD = re.compile(r"\w+")
# Relative links resolve against this made-up origin: its host is the site's own.
SITE_HOST = "site.invalid"
SITE_BASE = f"https://{SITE_HOST}/"


def words_of(text):
    """The words of ``text`` (str) as rules compare them (list of str): case-folded,
    without accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return WORD.findall(plain)


def host_of(href):
    """The host (str) a browser would go to for the link ``href`` (str), as rules
    compare hosts: parsed as the WHATWG URL Standard says (ada-url: "http:bit.ly/x",
    "https:///bit.ly", "https://bit%2Ely" all go to bit.ly), in its ASCII form (IDNA),
    without a trailing dot or a leading "www."; "" for a link within the site, one
    without a host (mailto:) or one a browser could not follow."""
    try:
        url = ada_url.URL(href.strip(), base=SITE_BASE)
    except ValueError:
        return ""
    if url.hostname == SITE_HOST:
        return ""
    return url.hostname.rstrip(".").removeprefix("www.")


def normalized_domain(line):
    """A line of a rule's domains (str, as typed: "https://www.Bit.ly/", "bit.ly",
    "*.bit.ly", "bücher.de") as the host to compare (str, see host_of), or "" when
    the line names no host."""
    line = line.strip().removeprefix("*").lstrip(".")
    if not line:
        return ""
    return host_of(line if "//" in line else f"https://{line}")
