"""The agent's points are read once a request, whatever reads them next: the desk (its
list, its receipt search, its heading) and the home page's to-do list."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.conftest import login
from tests.recycling.conftest import NOW


@contextmanager
def _point_reads():
    """Counts the statements reading which points an agent handles."""
    reads = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().startswith("SELECT recycling_point_agent.point_id"):
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield reads
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("query", ["", "?status=all", "?receipt=RC-AAAA-AAAA"])
def test_the_desk_reads_the_agents_points_once(client, make, rec, query):
    point = rec.point()
    agent = rec.agent(point)
    rec.device_return(make.user(), point, now=NOW)
    login(client, agent)
    with _point_reads() as reads:
        response = client.get(f"/recycling/agent{query}")
    assert response.status_code == 200 and point.name in response.get_data(as_text=True)
    assert len(reads) == 1


def test_the_home_to_do_list_reads_the_agents_points_once(client, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    agent.locale = "en"
    db.session.commit()
    rec.device_return(make.user(), point, now=NOW)
    login(client, agent)
    with _point_reads() as reads:
        page = client.get("/").get_data(as_text=True)
    assert "1 return to handle at your collection points" in page
    assert len(reads) == 1


def test_an_agent_opens_a_return_of_their_point_only(client, make, rec):
    mine, other = rec.point(), rec.point()
    agent = rec.agent(mine)
    here = rec.device_return(make.user(), mine, now=NOW)
    there = rec.device_return(make.user(), other, now=NOW)
    login(client, agent)
    with _point_reads() as reads:
        assert client.get(f"/recycling/agent/returns/{here.receipt_number}").status_code == 200
    assert len(reads) == 1
    assert client.get(f"/recycling/agent/returns/{there.receipt_number}").status_code == 404
