"""The figures every employee reads (`/recycling/figures`), the statistics and their open
data counted by month, point, type, status and wipe by the database rather than each
return read into Python: the same rows as counted one return at a time, each month in
the portal's zone (a device declared, received or handed over on the 1st at 00:30 in
Paris counts in that month, in summer and in winter)."""

from collections import defaultdict
from datetime import UTC, date, datetime

import pytest

from app.core.time import utcnow
from app.extensions import db
from app.recycling import queries, services
from app.recycling.models import LEAVES_THE_ADMINISTRATION

# 1 June 2026, 00:30 in Paris (UTC+2); 31 May, 23:30 in Paris.
JUNE_FIRST = datetime(2026, 5, 31, 22, 30, tzinfo=UTC)
MAY_LAST = datetime(2026, 5, 31, 21, 30, tzinfo=UTC)
# 1 July 2026, 00:30 and 1 August, 00:15 in Paris.
JULY_FIRST = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
AUGUST_FIRST = datetime(2026, 7, 31, 22, 15, tzinfo=UTC)
# 1 November 2026, 00:30 in Paris (UTC+1, winter time since 25 October).
NOVEMBER_FIRST = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
MID_JUNE = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def returns(make, rec):
    """Returns declared, received and handed over at the months' edges in Paris, of every
    status and wipe category; one withdrawn, which counts nowhere."""
    point = rec.point(opening_hours="24/7")
    agent = rec.agent(point)
    owner = make.user()

    def returned(device_type, declared, received=None, outcome=None, at=None, **kwargs):
        device_return = rec.device_return(owner, point, device_type, now=declared, **kwargs)
        if received:
            services.confirm_receipt(device_return, agent, received)
        if outcome:
            services.record_outcome(
                device_return, agent, outcome, at,
                recipient=None if outcome == "reused" else "Ecologic",
            )  # fmt: skip
        db.session.commit()
        return device_return

    returned("laptop", JUNE_FIRST, JULY_FIRST, "recycled", AUGUST_FIRST,
             wipe_requested=False, data_wiped=True)  # fmt: skip
    returned("accessory", MAY_LAST, MID_JUNE, "reused", MID_JUNE, wipe_requested=False)
    returned("monitor", NOVEMBER_FIRST, NOVEMBER_FIRST, "donated", NOVEMBER_FIRST,
             wipe_requested=False)  # fmt: skip
    wiped = returned("desktop", JUNE_FIRST, JULY_FIRST)
    services.record_wipe(wiped, agent, "software_overwrite", date(2026, 7, 1), "C-1", JULY_FIRST)
    returned("tablet", MAY_LAST, JUNE_FIRST)  # wipe requested, not recorded
    returned("smartphone", JUNE_FIRST)  # declared only
    withdrawn = returned("laptop", JUNE_FIRST)
    services.withdraw_return(owner, withdrawn, MID_JUNE)
    db.session.commit()
    return point


def _one_return_at_a_time() -> dict:
    """The open-data table's groups as they were counted before: each return read, its
    months taken in Python (`_local_month`)."""
    groups = defaultdict(lambda: [0, 0.0, 0])
    month = queries._month_expression(utcnow())
    for row in queries._device_facts(month, None, None):
        key = (
            row.month,
            None if row.status == "declared" else queries._local_month(row.received_at),
            queries._local_month(row.handed_over_at)
            if row.status in LEAVES_THE_ADMINISTRATION
            else None,
            row.point_id,
            row.device_type,
            row.status,
            queries._wipe_category(row.wiped, row.wipe_requested, row.data_wiped),
        )
        groups[key][0] += 1
    return {key: count for key, (count, _stored, _unset) in groups.items()}


def _grouped(table) -> dict:
    keys = ("month", "received_month", "handover_month", "point_id", "device_type", "status")
    return {(*(row[k] for k in keys), row["wipe_status"]): row["devices"] for row in table}


def test_the_database_groups_the_returns_as_one_return_at_a_time_did(returns):
    assert _grouped(queries.grouped_returns()) == _one_return_at_a_time()


def test_each_month_is_the_one_read_in_paris(returns):
    rows = {
        (row["device_type"], row["status"]): (
            row["month"],
            row["received_month"],
            row["handover_month"],
            row["wipe_status"],
        )
        for row in queries.grouped_returns()
    }
    assert rows == {
        ("laptop", "recycled"): ("2026-06", "2026-07", "2026-08", "owner_attested"),
        ("accessory", "reused"): ("2026-05", "2026-06", None, "no_data"),
        ("monitor", "donated"): ("2026-11", "2026-11", "2026-11", "no_data"),
        ("desktop", "wiped"): ("2026-06", "2026-07", None, "done"),
        ("tablet", "received"): ("2026-05", "2026-06", None, "requested"),
        ("smartphone", "declared"): ("2026-06", None, None, "requested"),
    }


def test_the_years_figures_count_the_same_devices(returns):
    figures = queries.collective_figures(2026)
    assert (figures["returned"], figures["kept_in_use"], figures["recycled"]) == (5, 2, 1)
    assert figures["in_progress"] == 2
