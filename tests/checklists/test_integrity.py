"""One tick per reader and item, kept by the database even under simultaneous requests."""

import threading
import time

import pytest
from django.db import IntegrityError, close_old_connections, connection, connections, transaction

from checklists.models import ChecklistItem, Tick
from checklists.progress import reset_progress, set_tick
from tests.conftest import make_post, make_user


@pytest.mark.django_db
def test_the_database_refuses_a_second_tick_for_the_same_reader_and_item(a_post, a_reader):
    item = a_post.checklist_items.first()
    Tick.objects.create(user=a_reader, item=item)

    with pytest.raises(IntegrityError):
        Tick.objects.create(user=a_reader, item=item)


@pytest.mark.django_db
def test_the_database_refuses_two_items_with_one_anchor_in_a_post(a_post):
    with pytest.raises(IntegrityError):
        ChecklistItem.objects.create(post=a_post, anchor="first-thing", text="Again")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so two simultaneous ticks cannot race there",
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_ticks_make_one_row_and_one_reader():
    post = make_post()
    reader = make_user()
    item = post.checklist_items.first()
    threads_count = 2
    barrier = threading.Barrier(threads_count)
    results, errors = [], []

    def tick():
        try:
            barrier.wait(timeout=10)
            results.append(set_tick(user=reader, item=item, done=True))
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [threading.Thread(target=tick) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    close_old_connections()

    assert errors == []
    assert sorted(results) == [False, True]  # one request made the tick, the other found it
    assert Tick.objects.filter(user=reader, item=item).count() == 1
    item.refresh_from_db()
    assert item.reader_count == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so two simultaneous unticks cannot race there",
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_unticks_lower_the_count_once():
    post = make_post()
    reader = make_user()
    item = post.checklist_items.first()
    set_tick(user=reader, item=item, done=True)
    barrier = threading.Barrier(2)
    errors = []

    def untick():
        try:
            barrier.wait(timeout=10)
            set_tick(user=reader, item=item, done=False)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=untick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert not Tick.objects.exists()
    item.refresh_from_db()
    assert item.reader_count == 0


def wait_until_a_query_waits_for_a_lock(timeout=10):
    """Poll PostgreSQL until another connection is blocked on a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Statistics views are a snapshot per transaction unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the other request never waited for the lock")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so a reset cannot overlap an untick there",
)
@pytest.mark.django_db(transaction=True)
def test_a_reset_that_overlaps_an_untick_lowers_the_count_once():
    post = make_post()
    reader = make_user()
    item = post.checklist_items.first()
    set_tick(user=reader, item=item, done=True)
    errors = []

    def reset():
        try:
            reset_progress(user=reader, session={}, post=post)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    # The untick has deleted the tick but not committed when the reset starts; the reset
    # must then wait for it and find nothing left to remove, not remove it a second time.
    with transaction.atomic():
        set_tick(user=reader, item=item, done=False)
        thread = threading.Thread(target=reset)
        thread.start()
        wait_until_a_query_waits_for_a_lock()
    thread.join(timeout=30)

    assert errors == []
    assert not Tick.objects.exists()
    item.refresh_from_db()
    assert item.reader_count == 0
