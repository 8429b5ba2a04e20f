"""A small demo (a few dozen employees, fewer than the collection points) still loads."""

from sqlalchemy import func, select

from app.extensions import db
from app.recycling.models import CollectionPoint, PointAgent


def test_a_demo_with_fewer_staff_than_points_gives_every_point_an_agent(runner):
    """`flask demo seed --employees 20` stopped with a KeyError: the generated agents ran
    out before the points did."""
    result = runner.invoke(args=["demo", "seed", "--employees", "20"])
    assert result.exit_code == 0, result.output
    points = db.session.scalar(select(func.count()).select_from(CollectionPoint))
    with_agent = db.session.scalar(select(func.count(func.distinct(PointAgent.point_id))))
    assert points > 20 and with_agent == points
