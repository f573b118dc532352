"""Read HTML the way a browser would: as a tree of elements with their text.

Shared by the tests of every app (no third-party HTML parser needed)."""

from html.parser import HTMLParser

VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input",
    "link", "meta", "source", "track", "wbr",
}  # fmt: skip


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children = []

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"

    def __getitem__(self, name):
        return self.attrs[name]

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def text(self):
        """The text a reader sees, whitespace collapsed."""
        parts = []

        def collect(node):
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    collect(child)

        collect(self)
        return " ".join("".join(parts).split())

    @property
    def raw_text(self):
        """The text exactly as written (a <textarea>'s value keeps its line breaks)."""
        return "".join(
            child if isinstance(child, str) else child.raw_text for child in self.children
        )

    def form_values(self):
        """What this <form> sends as it stands, as a browser would: {name: value}, or
        {name: [values]} for a multiple <select>. Buttons are left out."""
        values = {}
        for field in self.iter():
            name = field.get("name")
            if not name or "disabled" in field.attrs:  # boolean attributes have no value
                continue
            if field.tag == "input":
                kind = field.get("type", "text")
                if kind in {"submit", "button", "image", "reset", "file"}:
                    continue
                if kind in {"checkbox", "radio"}:
                    if "checked" in field.attrs:
                        values[name] = field.get("value", "on")
                    continue
                values[name] = field.get("value", "")
            elif field.tag == "textarea":
                values[name] = field.raw_text.removeprefix("\n")
            elif field.tag == "select":
                chosen = [o.get("value", o.text) for o in field.find_all("option", selected=True)]
                if "multiple" in field.attrs:
                    values[name] = chosen
                elif chosen or field.first("option"):
                    values[name] = chosen[0] if chosen else field.first("option").get("value", "")
        return values

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, **attrs):
        """Descendants with this tag and attributes ('_' for '-'; True: present; class_: one
        class among several)."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and all(_matches(element, name, value) for name, value in wanted.items())
        ]

    def find(self, tag=None, **attrs):
        """The one matching descendant; fails unless there is exactly one."""
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag}> with {attrs}, found {len(found)}"
        return found[0]

    def first(self, tag=None, **attrs):
        """The first matching descendant, or None."""
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def by_id(self, element_id):
        return self.first(id=element_id)

    def accessible_name(self, element):
        """The name a screen reader announces for a form control or link (the cases we use)."""
        if "aria-label" in element.attrs:
            return element["aria-label"]
        if "aria-labelledby" in element.attrs:
            return " ".join(self.by_id(i).text for i in element["aria-labelledby"].split())
        if element.tag == "input" and "id" in element.attrs:
            labels = self.find_all("label", for_=element["id"])
            if labels:
                return " ".join(label.text for label in labels)
        return element.text


def _matches(element, name, value):
    if name not in element.attrs:
        return False
    if value is True:
        return True
    if name == "class":
        return value in (element.attrs[name] or "").split()
    return element.attrs[name] == value


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID_ELEMENTS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html):
    """Parse a page (str, bytes or a response) into a tree of elements."""
    if hasattr(html, "content"):
        html = html.content
    if isinstance(html, bytes):
        html = html.decode()
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
