"""Indexes only PostgreSQL has: trigram indexes for the admin's searches (issue 23).

Django's ``icontains`` (what the admin's search runs for each word) is, on PostgreSQL,
``UPPER("column"::text) LIKE UPPER('%word%')``. A B-tree index cannot serve a pattern
that starts with ``%``; a GIN index of the same expression with pg_trgm's
``gin_trgm_ops`` can (https://www.postgresql.org/docs/current/pgtrgm.html, "Index
Support"), so a search reads the rows that hold the word's trigrams, not every row.

Django's ``GinIndex`` and ``OpClass`` would make the same index, but a model's indexes
are created on every database, and SQLite has neither GIN nor pg_trgm. So the index is a
migration operation that acts on PostgreSQL only. SQLite (a single-server site) scans.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)


def trigram_index(table, column, name):
    """A migration operation (RunPython) that creates, on PostgreSQL, the GIN trigram
    index ``name`` on ``UPPER(column::text)`` of ``table`` (all str, SQL identifiers),
    after ``CREATE EXTENSION IF NOT EXISTS pg_trgm``; on any other database, nothing.

    pg_trgm is a trusted extension (PostgreSQL 13 and later): a database owner may create
    it. A role that may not, or a server without it, gets a warning and no index: the
    search still answers, by reading every row. Reversing drops the index (never the
    extension, which other indexes may use)."""

    def create(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        try:
            with transaction.atomic(using=connection.alias):  # a savepoint
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
                    f"USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
                )
        except DatabaseError as error:  # a privilege, or a server without pg_trgm
            logger.warning(
                "No trigram index %s on %s.%s (%s): searches there read every row.",
                name,
                table,
                column,
                error,
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    return migrations.RunPython(create, drop, elidable=False)
