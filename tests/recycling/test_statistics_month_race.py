"""The statistics read the first and last declarations' dates, then count by month: a
declaration committed between the two reads, in a later month, used to fall in no month
(NULL) and the statistics page answered 500 (sorting None among the months)."""

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.recycling import queries
from app.recycling.models import CollectionPoint


def test_a_declaration_after_the_months_read_counts_in_its_own_month(make, rec):
    point = rec.point()
    june = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    rec.device_return(make.user(), point, "laptop", now=june)
    # The months are read now, with June the last of them...
    months = queries.months_of_declarations(june, june)
    # ...then another declaration is committed: 1 July, 00:30 in Paris.
    rec.device_return(make.user(), point, "monitor", now=datetime(2026, 6, 30, 22, 30, tzinfo=UTC))
    points = {p.id: p for p in db.session.scalars(select(CollectionPoint))}

    table = queries.returns_by_month(months, points, {})

    assert [(row["month"], row["device_type"]) for row in table] == [
        ("2026-06", "laptop"),
        ("2026-07", "monitor"),
    ]


def test_the_months_reach_this_month_whatever_the_last_declaration(make, rec):
    """Read today, the months go on to today's: a declaration of today committed after
    the read has its month."""
    point = rec.point()
    rec.device_return(make.user(), point, "laptop", now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    months = queries._month_expression(datetime(2026, 8, 20, 9, 0, tzinfo=UTC))
    rec.device_return(make.user(), point, "tablet", now=datetime(2026, 7, 14, 9, 0, tzinfo=UTC))
    points = {p.id: p for p in db.session.scalars(select(CollectionPoint))}

    table = queries.returns_by_month(months, points, {})

    assert [row["month"] for row in table] == ["2026-03", "2026-07"]


def test_the_statistics_count_every_declaration_by_its_month(make, rec):
    point = rec.point()
    rec.device_return(make.user(), point, "laptop", now=datetime(2026, 6, 10, 9, 0, tzinfo=UTC))
    rec.device_return(make.user(), point, "monitor", now=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    assert [month for month, *_counts in queries.statistics()["by_month"]] == [
        "2026-06",
        "2026-07",
    ]


def test_a_point_created_after_the_points_were_read_is_named(make, rec):
    """The points are read before the counts: a point created (and declared at) between
    the two was a KeyError, the statistics page a 500."""
    first = rec.point()
    june = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    rec.device_return(make.user(), first, "laptop", now=june)
    points = {p.id: p for p in db.session.scalars(select(CollectionPoint))}
    later = rec.point()
    rec.device_return(make.user(), later, "tablet", now=june)

    table = queries.returns_by_month(queries.months_of_declarations(june, june), points, {})

    assert {row["point_id"] for row in table} == {first.id, later.id}
    assert points[later.id].name == later.name
