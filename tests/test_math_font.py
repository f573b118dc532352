"""Math legible at text size (issue 22): STIX Two Math, a WOFF2 subset with its OpenType
MATH table and its licence beside it, linked only by pages whose article has math."""

import re
import struct
from pathlib import Path

import pytest

from tests.conftest import make_post
from tests.html import parse

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "static" / "fonts" / "stix-two-math.woff2"
LICENCE = ROOT / "static" / "fonts" / "LICENSE-stix-two-math.txt"
CSS = ROOT / "static" / "css" / "math.css"
MAX_BYTES = 200_000  # a subset: the package's whole font is 403,344 bytes
# WOFF2's known table tags (its specification, section 5.1), by index; MATH is 31.
KNOWN_TAGS = (
    "cmap head hhea hmtx maxp name OS/2 post cvt  fpgm glyf loca prep CFF  VORG EBDT EBLC "
    "gasp hdmx kern LTSH PCLT VDMX vhea vmtx BASE GDEF GPOS GSUB EBSC JSTF MATH"
)
MATH_POST = "Below:\n\n$$\n\\sum_{i=1}^n x_i = \\int_0^1 f(x)\\,dx\n$$\n\nAnd $a^2$ inline.\n"


def woff2_tables(data):
    """The table tags (set of str) of a WOFF2 file's table directory (bytes)."""
    assert data[:4] == b"wOF2", "not a WOFF2 file"
    count = struct.unpack(">H", data[12:14])[0]
    known = [KNOWN_TAGS[i * 5 : i * 5 + 4] for i in range(32)]
    tags, offset = set(), 48
    for _ in range(count):
        flags = data[offset]
        offset += 1
        if flags & 0x3F == 0x3F:
            tag = data[offset : offset + 4].decode("latin-1")
            offset += 4
        else:
            index = flags & 0x3F
            tag = known[index] if index < len(known) else f"#{index}"
        tags.add(tag)
        transformed = (flags >> 6) != (3 if tag in ("glyf", "loca") else 0)
        for _length in range(2 if transformed else 1):  # UIntBase128 origLength [transformLength]
            while data[offset] & 0x80:
                offset += 1
            offset += 1
    return tags


def test_the_math_font_is_a_small_woff2_with_a_math_table():
    data = FONT.read_bytes()
    assert len(data) < MAX_BYTES
    tables = woff2_tables(data)
    assert {"MATH", "cmap", "glyf", "GSUB"} <= tables
    assert not {"fpgm", "prep"} & tables  # hinting dropped, as the licence file says


def test_the_licence_ships_beside_the_font_and_says_where_it_came_from():
    licence = LICENCE.read_text()
    assert "SIL Open Font License, Version 1.1" in licence
    assert "The STIX Fonts Project Authors" in licence
    assert "@fontsource/stix-two-math 5.3.0" in licence
    # The subset's characters are the stylesheet's unicode-range, written once each.
    command = re.search(r'--unicodes="([^"]+)"', licence).group(1)
    declared = re.search(r"unicode-range:([^;]+);", CSS.read_text()).group(1)
    assert [part.strip() for part in declared.split(",")] == command.split(",")


def test_the_stylesheet_sets_math_in_the_shipped_face():
    css = CSS.read_text()
    assert 'src: url("../fonts/stix-two-math.woff2") format("woff2");' in css
    assert re.search(r'math \{[^}]*font-family: "STIX Two Math", math;', css)


def math_links(client, post):
    page = parse(client.get(post.get_absolute_url()))
    links = page.find_all("link")
    return [(link["rel"], link["href"]) for link in links if "math" in link["href"]]


@pytest.mark.django_db
def test_only_a_page_with_math_links_the_math_font(client):
    with_math = make_post(body=MATH_POST, use_math=True)
    math_off = make_post(slug="off", permalink="/off/", body=MATH_POST, use_math=False)
    no_math_written = make_post(slug="none", permalink="/none/", use_math=True)

    assert math_links(client, with_math) == [
        ("preload", "/static/fonts/stix-two-math.woff2"),
        ("stylesheet", "/static/css/math.css"),
    ]
    assert math_links(client, math_off) == []  # "$...$" stays text
    assert math_links(client, no_math_written) == []  # "Use math" ticked, no formula
