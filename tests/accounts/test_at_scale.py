"""Sign-up and a name change cost the same whatever the number of readers (issue 23):
the same queries with 1 reader and with 200, and, on PostgreSQL, no query that reads the
whole users table (each is answered through an index)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.accounts import helpers
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def readers(count):
    for number in range(count):
        make_user(email=f"reader{number}@example.com", display_name=f"Reader Number {number}")


def sign_up_queries(email):
    with CaptureQueriesContext(connection) as queries:
        response = helpers.sign_up(Client(), email, display_name=f"Fresh {email[:6]}")
    assert response.status_code == 302
    return queries.captured_queries


def test_a_sign_up_takes_the_same_queries_with_1_reader_and_with_200():
    readers(1)
    few = sign_up_queries("first@example.com")
    for number in range(200):
        make_user(email=f"more{number}@example.com", display_name=f"More Reader {number}")
    many = sign_up_queries("second@example.com")

    assert len(few) == len(many)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_no_sign_up_query_reads_the_whole_users_table():
    """With sequential scans priced out, a query with no index to use still scans:
    allauth's case-insensitive username check did (1.5 s at 1M readers)."""
    readers(1)
    queries = sign_up_queries("someone@example.com")
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or '"accounts_user"' not in sql:
                continue
            cursor.execute("EXPLAIN " + sql)
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    assert plans
    for sql, plan in plans:
        assert "Seq Scan on accounts_user" not in plan, (sql, plan)
