"""The text face the site ships is the npm package's own, with its licence, and the
stylesheet gives each file the package's own unicode-range (issue 13)."""

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_NAME = "@fontsource/source-serif-4"
PACKAGE = ROOT / "node_modules" / PACKAGE_NAME
FONTS = ROOT / "static" / "fonts"
SUBSETS = {  # shipped file: the package's subset
    "source-serif-4-latin-400-normal.woff2": "latin",
    "source-serif-4-latin-ext-400-normal.woff2": "latin-ext",
}


@pytest.fixture(scope="module")
def package():
    if not PACKAGE.exists():
        message = f"{PACKAGE_NAME} is missing from node_modules: run npm ci"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)
    return PACKAGE


def test_the_shipped_files_are_the_pinned_packages_own(package):
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"][PACKAGE_NAME]
    assert json.loads((package / "package.json").read_text())["version"] == pinned
    for name in SUBSETS:
        assert (FONTS / name).read_bytes() == (package / "files" / name).read_bytes(), name
    # Beside them only the math face, which pages with math load (tests/test_math_font.py).
    shipped = sorted(path.name for path in FONTS.glob("*.woff2"))
    assert shipped == sorted([*SUBSETS, "stix-two-math.woff2"])


def test_the_licence_ships_with_the_fonts(package):
    licence = (FONTS / "LICENSE-source-serif-4.txt").read_text()

    assert (package / "LICENSE").read_text() in licence
    assert "SIL Open Font License, Version 1.1" in licence
    assert "Adobe" in licence  # the fonts' own copyright notice


def test_each_font_face_has_the_packages_unicode_range_and_swaps(package):
    ranges = json.loads((package / "unicode.json").read_text())
    css = (ROOT / "static" / "css" / "site.css").read_text()
    faces = re.findall(r"@font-face\s*{(.*?)}", css, re.DOTALL)

    found = {}
    for face in faces:
        name = re.search(r'url\("\.\./fonts/([^"]+)"\)', face).group(1)
        declared = re.search(r"unicode-range:([^;]+);", face).group(1)
        found[name] = ",".join(part.strip() for part in declared.split(","))
        assert "font-display: swap;" in face
    assert found == {name: ranges[subset] for name, subset in SUBSETS.items()}
