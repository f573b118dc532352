"""Every model a post page shows is heard however it changes (pages.receivers, issue 20)."""

import pytest

from core.signals import ChangeSignallingQuerySet
from pages.receivers import WATCHED, watched_model


@pytest.mark.parametrize("entry", WATCHED, ids=[entry.model for entry in WATCHED])
def test_a_watched_models_manager_reports_its_bulk_writes(entry):
    model = watched_model(entry)
    if entry.rows is None:
        assert len(entry.saved_one_by_one) > 40, "say why nothing writes it in bulk"
        return
    assert isinstance(model._default_manager.all(), ChangeSignallingQuerySet), (
        f"{entry.model}'s manager sends no rows_changed for update(), bulk_create() and "
        "bulk_update(): derive its QuerySet from core.signals.ChangeSignallingQuerySet, or "
        "list it in pages.receivers.WATCHED as saved one by one, with the reason."
    )
