"""Moderation rules applied to every new comment and edit (issue 27): what the enabled
ModerationRules say of a text, before anyone reads it.

Words and phrases match whole words, ignoring case and accents: the text and each
phrase are case-folded, decomposed (NFKD) and stripped of combining marks, then split
into words (``\\w+``); a phrase matches where its words follow each other in the text.
Links are the ``<a href>`` of the comment as rendered (comments.rendering), so a bare
address the renderer links counts too, each read as a browser follows it
(comments.matching.host_of); a domain matches itself and its subdomains. Every
check is a scan of the text or a set look-up: linear in the text, whatever the rules
(no user-supplied regular expression, issue 27).

The enabled rules are read once a minute at most (the shared cache), and at once after a
rule is saved or deleted (the receivers below).
"""

from dataclasses import asdict, dataclass
from html.parser import HTMLParser

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from .matching import host_of, normalized_domain, words_of
from .models import Comment, ModerationRule

CACHE_KEY = "comment-moderation-rules"
Outcome = ModerationRule.Outcome
STRENGTH = {Outcome.REFUSE: 3, Outcome.SPAM: 2, Outcome.HOLD: 1}


@dataclass(frozen=True)
class Rule:
    """An enabled ModerationRule, ready to match: its phrases as padded word strings,
    its domains normalized."""

    pk: int
    name: str
    kind: str
    phrases: tuple
    domains: frozenset
    max_links: int | None
    below_approved: int | None
    outcome: str
    message: str

    @classmethod
    def of(cls, rule):
        phrases = tuple(
            f" {' '.join(words)} " for words in map(words_of, rule.words.splitlines()) if words
        )
        domains = frozenset(filter(None, map(normalized_domain, rule.domains.splitlines())))
        return cls(
            rule.pk, rule.name, rule.kind, phrases, domains, rule.max_links,
            rule.below_approved, rule.outcome, rule.message,
        )  # fmt: skip

    def matches(self, words, hosts):
        """Whether this rule matches a text whose words, joined and padded with spaces,
        are ``words`` (str) and whose links go to ``hosts`` (list of str)."""
        if self.kind == ModerationRule.Kind.WORDS:
            return any(phrase in words for phrase in self.phrases)
        if self.kind == ModerationRule.Kind.DOMAINS:
            return any(_within(host, self.domains) for host in hosts)
        return self.max_links is not None and len(hosts) > self.max_links


def _within(host, domains):
    parts = host.split(".")
    return any(".".join(parts[start:]) in domains for start in range(len(parts)))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hosts = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hosts.append(host_of(dict(attrs).get("href") or ""))


def link_hosts(html):
    """The host (str; "" for a link within the site) of every link in ``html`` (the
    rendered comment), in order."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.hosts


def enabled_rules():
    """The enabled rules (list of Rule), from the shared cache when it has them. The
    cache holds plain fields, not Rule objects: a server of another release, whose Rule
    differs, reads the rules from the database again instead of failing."""
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        try:
            return [Rule(**fields) for fields in cached]
        except TypeError:
            pass
    rules = [Rule.of(rule) for rule in ModerationRule.objects.filter(enabled=True)]
    cache.set(CACHE_KEY, [asdict(rule) for rule in rules], timeout=60)
    return rules


@dataclass(frozen=True)
class Verdict:
    """What the rules decided of a text: the ``outcome`` (a ModerationRule.Outcome) of
    the strongest rule that matched, that ``rule`` (a Rule)."""

    outcome: str
    rule: Rule


class Refused(Exception):
    """A rule refused the comment; ``message`` is what the writer is told."""

    def __init__(self, rule):
        super().__init__(rule.message)
        self.rule = rule
        self.message = rule.message


def screen(*, body, body_html, author):
    """The Verdict of the enabled rules on a comment or an edit by ``author`` (a User):
    ``body`` (its Markdown) for words, ``body_html`` (as rendered) for links; None when
    no rule matches. Rules limited to readers with few approved comments count the
    author's (one query) only when such a rule matched the text."""
    rules = enabled_rules()
    if not rules:
        return None
    words = f" {' '.join(words_of(body))} "
    hosts = link_hosts(body_html)
    matched = [rule for rule in rules if rule.matches(words, hosts)]
    if any(rule.below_approved is not None for rule in matched):
        limit = max(rule.below_approved or 0 for rule in matched)
        approved = Comment.objects.filter(author=author, status=Comment.Status.APPROVED)
        count = approved.values("pk")[:limit].count() if author is not None else 0
        matched = [r for r in matched if r.below_approved is None or count < r.below_approved]
    if not matched:
        return None
    strongest = max(matched, key=lambda rule: (STRENGTH[rule.outcome], -rule.pk))
    return Verdict(strongest.outcome, strongest)


def forget_rules(**kwargs):
    """Receiver: a rule was saved or deleted, so the next comment reads them again."""
    cache.delete(CACHE_KEY)


def connect_receivers():
    """Connect the receivers (called once, by CommentsConfig.ready())."""
    post_save.connect(forget_rules, sender=ModerationRule, dispatch_uid="moderation-rules")
    post_delete.connect(forget_rules, sender=ModerationRule, dispatch_uid="moderation-rules")
