"""Two admins setting the same first budget (department, year) at once: the first looked,
found none and inserted; the second's insert broke the unique key (a 500), and the log
said « 200 → 100 » and « 200 → 300 » while both were told it was saved. Now the second
changes the budget the first set, and the log says from what."""

import html
import threading
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.catalogue import services
from app.catalogue.models import CatalogueBudget
from app.core.audit import AuditEvent
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.conftest import Auth, login


@contextmanager
def set_meanwhile(department_id: int, amount: float):
    """Another admin's budget for the department in 2026, committed on a connection of its
    own just before this session writes one: after any look it may have taken first."""
    done = []

    def other_admin_saves(_conn, _cursor, statement, *_args):
        if done or not statement.lstrip().upper().startswith("INSERT INTO CATALOGUE_BUDGET"):
            return
        done.append(True)
        with Session(db.engine) as other:
            other.add(CatalogueBudget(department_id=department_id, year=2026, budget_kgco2e=amount))
            other.commit()

    event.listen(db.engine, "before_cursor_execute", other_admin_saves)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", other_admin_saves)


def _stored(department_id: int) -> list[float]:
    db.session.expire_all()
    return db.session.scalars(
        select(CatalogueBudget.budget_kgco2e).where(CatalogueBudget.department_id == department_id)
    ).all()


def test_a_budget_set_meanwhile_is_changed_and_logged_as_replaced(client, make):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    department = make.department(name_en="Lormont Town Hall")
    with set_meanwhile(department.id, 200):
        response = Auth(client).post(
            "/catalogue/admin/budgets",
            {"department_id": str(department.id), "year": "2026", "budget_kgco2e": "300"},
        )
    assert response.status_code == 302
    assert _stored(department.id) == [300]
    log = html.unescape(client.get("/admin/audit").text)
    assert "<td>Lormont Town Hall, 2026: 200 → 300\u00a0kg\u00a0CO₂e</td>" in log


def test_two_admins_at_once_each_change_the_budget_the_other_left(app, make):
    first, second = make.user(roles=("admin",)), make.user(roles=("admin",))
    department = make.department()
    ids = {"department": department.id, "admins": (first.id, second.id)}
    barrier = threading.Barrier(2)
    outcomes = []

    def admin_sets(admin_id: int, amount: float):
        with app.app_context(), app.test_request_context():
            from app.auth.models import User

            admin = db.session.get(User, admin_id)
            barrier.wait()
            try:
                services.set_budget(ids["department"], 2026, amount, admin, NOW)
                db.session.commit()
                outcomes.append("saved")
            except Exception as error:  # the 500 this test is about
                db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=admin_sets, args=(admin_id, amount))
        for admin_id, amount in zip(ids["admins"], (100, 300), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["saved", "saved"]
    (final,) = _stored(department.id)
    summaries = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "set_budget").order_by(AuditEvent.id)
    ).all()
    # One inserted it, the other changed it from that: the log's last figure is the budget.
    first_set, then = (s.split(";")[0] for s in summaries)
    assert first_set.startswith("2026: - -> ")
    assert then == f"2026: {first_set.removeprefix('2026: - -> ')} -> {final:g}"
