"""Read a page's HTML as a tree of elements, the way a browser would (html.parser)."""

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

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    def iter(self):
        """Every element under this one, depth first."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, *, class_=None, **attrs):
        found = []
        for element in self.iter():
            if tag and element.tag != tag:
                continue
            if class_ and class_ not in (element.get("class") or "").split():
                continue
            if any(element.get(name) != value for name, value in attrs.items()):
                continue
            found.append(element)
        return found

    def find(self, tag=None, **kwargs):
        found = self.find_all(tag, **kwargs)
        return found[0] if found else None

    def by_id(self, element_id):
        return self.find(id=element_id)

    @property
    def text(self):
        """The element's text as a reader sees it: whitespace collapsed."""
        parts = []

        def collect(node):
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    collect(child)

        collect(self)
        return " ".join("".join(parts).split())


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID_ELEMENTS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html):
    if isinstance(html, bytes):
        html = html.decode()
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
