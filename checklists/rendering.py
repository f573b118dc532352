"""Turning the stored article HTML's checkbox headings into the reader's live checklist.

The renderer stores each checklist heading as a plain checkbox; per request we add the
reader's state, the readers' count and a small no-JavaScript form after the heading.
This is string work on the stored HTML: no Markdown is parsed and no query is run.

The forms carry no CSRF token: a visitor's page is shared by every visitor, and the tick
endpoint refuses cross-site requests by their Fetch metadata instead (checklists.views).
"""

import re

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

# Up to the heading's own end tag, whatever its level: a "###" checkbox heading is an
# item too, and stopping at the next </h2> would swallow the following item.
CHECKLIST_HEADING = re.compile(
    r'<input type="checkbox" class="checklist-box" (?P<attrs>[^>]*)'
    r'data-checklist-item="(?P<anchor>[^"]+)">(?P<rest>.*?</h[1-6]>)',
    re.DOTALL,
)


def interactive_body(body_html, progress):
    """The stored article HTML (str) with each checklist heading made live for
    ``progress`` (a Progress): ticked or not, its readers' count and its form."""
    states = progress.by_anchor()

    def replace(match):
        state = states.get(match.group("anchor"))
        if state is None:  # not an item of this post (should not happen): leave it inert
            return match.group(0)
        item = state.item
        url = reverse("checklists:set", kwargs={"item_id": item.pk})
        # Disabled until the script takes over ticking (static/js/checklist.js): without
        # it, a click would tick the box on screen and save nothing; the form's button
        # below is the control, and the box shows the state.
        checkbox = (
            f'<input type="checkbox" class="checklist-box" {match.group("attrs")}'
            f'data-checklist-item="{escape(item.anchor)}" data-tick-url="{url}" '
            f'aria-describedby="readers-{escape(item.anchor)}"{" checked" if state.done else ""}'
            " disabled>"
        )
        return checkbox + match.group("rest") + _controls(state, url)

    return mark_safe(CHECKLIST_HEADING.sub(replace, body_html))


def _controls(state, url):
    """The readers' count and the form that sets the state without JavaScript."""
    # format_html rather than a template: this runs once per item on every page view.
    return format_html(
        '<div class="checklist-controls">'
        '<p class="readers" id="readers-{anchor}" data-readers>{readers}</p>'
        '<form method="post" action="{url}" class="tick-form">'
        '<input type="hidden" name="done" value="{value}">'
        # aria-label: the visually hidden span alone would be announced as
        # "Mark as done : ..." (Chromium puts a space around the hidden span).
        '<button type="submit" class="secondary" aria-label="{label}: {text}">{label}'
        '<span class="visually-hidden">: {text}</span></button>'
        "</form></div>",
        anchor=state.item.anchor,
        readers=state.readers,
        url=url,
        value="false" if state.done else "true",
        label="Mark as not done" if state.done else "Mark as done",
        text=state.item.text,
    )
