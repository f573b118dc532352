"""Helpers for the checklist and account tests: post bodies and items by their text."""

from tests.html import parse

__all__ = ["checklist_body", "items_by_text", "parse"]


def checklist_body(*headings, level=2):
    """A Markdown body with one checkbox heading per text, each followed by a paragraph."""
    marks = "#" * level
    sections = [f'{marks} <input type="checkbox"> {text}\n\nAbout {text}.' for text in headings]
    return "Introduction.\n\n" + "\n\n".join(sections) + "\n"


def items_by_text(post):
    """The post's items, current and archived, by their text."""
    return {item.text: item for item in post.checklist_items.all()}
