"""Admin lists of tables that grow with the readers: comments, ticks (issue 23).

Two habits of Django's admin read every row of such a table on each view, and this
module is the one place that replaces them, for any ModelAdmin that asks:

* its search joins the readers' table and tests each word against every row of the
  list; ``search_by_words`` looks the readers up first (through their trigram indexes on
  PostgreSQL, core.postgres) and matches the rows by reader id;
* its paginator counts every row, and reads every row before the page with their joins
  (``OFFSET``); ``LargeTablePaginator`` estimates the count of an unfiltered list from
  PostgreSQL's statistics, and reads a page's keys alone before its rows.
"""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal

# Readers whose name has a searched word, matched by a list of ids up to this many (an
# index on the rows' reader finds them; 3,700 ids cost about 10 ms to send); past it,
# each row asks for its own reader by primary key (a correlated EXISTS): a word such as
# "Reader" in a million names made PostgreSQL hash them all, 73 s (bench/scale.py). At
# 500, "Reader 777" (3,700 readers) asked that of each of 100,000 comments: 1.6 s.
NAME_MATCHES = 10_000
# An unfiltered list at least this long shows PostgreSQL's estimate of its rows.
ESTIMATE_FROM = 10_000


def search_words(search_term):
    """The words of an admin search (list of str), split as Django's admin splits them:
    on spaces, with a "quoted phrase" kept whole."""
    words = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            words.append(bit)
    return words


def readers_named(field, words, *, reader_fields=("display_name",), limit=None):
    """(Q, int): a condition for rows whose reader (the foreign key ``field``, str, such
    as "author") has every one of ``words`` (list of str) in one of ``reader_fields``
    (the user model's text fields), and how many ids it lists. The readers are looked up
    first: a list of their ids when at most ``limit`` (NAME_MATCHES when None) match,
    else a correlated EXISTS on the reader's primary key, which lists none."""
    limit = NAME_MATCHES if limit is None else limit
    readers = get_user_model().objects.all()
    for word in words:
        condition = Q()
        for name in reader_fields:
            condition |= Q(**{f"{name}__icontains": word})
        readers = readers.filter(condition)
    # Unordered: the user model's ordering made PostgreSQL sort every match (a million
    # for "Reader", 0.3 s) to keep the first limit + 1.
    ids = list(readers.order_by().values_list("pk", flat=True)[: limit + 1])
    if len(ids) <= limit:
        return Q(**{f"{field}__in": ids}), len(ids)
    # The redundant pk >= keeps the subquery correlated: with the equality alone,
    # PostgreSQL turns it into a hash of every matching reader before the first row.
    return Q(Exists(readers.filter(pk=OuterRef(field), pk__gte=OuterRef(field)))), 0


def search_by_words(queryset, search_term, *, reader, reader_fields, text_fields=(), related=()):
    """``queryset`` (a QuerySet) narrowed to the rows that match every word of
    ``search_term`` (str), as Django's admin search matches them: each word in one of
    ``text_fields`` (the rows' own, str), the ``reader_fields`` of the reader at the
    foreign key ``reader``, or, for each ``(field, model, model_fields)`` of ``related``,
    the ``model_fields`` of the row at the foreign key ``field`` (a small table, such as
    checklist items, looked up by id). Returns (QuerySet, may_have_duplicates) for
    ModelAdmin.get_search_results.

    Written so that an index can find the rows: a row matches when its reader's name
    holds every word (few readers, whatever each word alone names: "Reader 777"), or
    when one word is in its own text and each other word in its text or its reader's
    name. Both halves start from an index (the readers' trigrams, the rows' own).
    """
    words = search_words(search_term)
    if not words:
        return queryset, False
    in_text = {}
    for word in words:
        condition = Q()
        for name in text_fields:
            condition |= Q(**{f"{name}__icontains": word})
        for field, model, model_fields in related:
            matched = Q()
            for name in model_fields:
                matched |= Q(**{f"{name}__icontains": word})
            ids = list(model.objects.filter(matched).values_list("pk", flat=True))
            condition |= Q(**{f"{field}__in": ids})
        in_text[word] = condition
    # NAME_MATCHES ids at most in one query, whatever the number of words: SQLite takes
    # 32,766 parameters in a statement, PostgreSQL 65,535.
    named, listed = readers_named(reader, words, reader_fields=reader_fields)
    budget = NAME_MATCHES - listed
    each_word = Q()
    for word in words:
        by_name, listed = readers_named(reader, [word], reader_fields=reader_fields, limit=budget)
        budget -= listed
        each_word &= in_text[word] | by_name
    some_word_in_text = Q()
    for condition in in_text.values():
        some_word_in_text |= condition
    return queryset.filter(named | (some_word_in_text & each_word)), False


class LargeTablePaginator(Paginator):
    """Django's paginator for an admin list of a large table (ModelAdmin.paginator).

    * ``count``: for the whole table (no filter or search) on PostgreSQL, the planner's
      estimate (``pg_class.reltuples``) once it is at least ESTIMATE_FROM rows, instead
      of a count that reads every row; an exact count otherwise.
    * ``page()``: past the first, the page's primary keys first (from the ordering's
      index, without joins), then its rows with their joins, in that order: a last page
      of 100,000 comments read every row before it with its reader and post (2 s).
    """

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.where and not queryset.query.distinct:
            estimate = self._estimate(queryset)
            if estimate is not None and estimate >= ESTIMATE_FROM:
                return estimate
        return super().count

    @staticmethod
    def _estimate(queryset):
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        return int(row[0]) if row and row[0] > 0 else None

    def page(self, number):
        number = self.validate_number(number)
        if number == 1:  # nothing to skip: one query, as Django's
            return super().page(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)
