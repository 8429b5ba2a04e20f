"""Points, receipts and the desk (employee, agent, admin): a point's state names the right
day after a holiday closure and at midnight, a receipt's address typed loosely does not
say its steps were altered, the wipe's method is chosen rather than assumed, a point
whose agents cannot work is not reopened, and closing a point says who is on their way."""

import html
import re
from datetime import UTC, datetime

from sqlalchemy import delete

from app.auth.models import UserRole
from app.extensions import db
from app.recycling import hours, services
from app.recycling.models import CollectionPoint, DeviceReturn
from tests.conftest import login
from tests.recycling.conftest import NOW, error_at, local_today
from tests.recycling.test_wipe_methods_and_return_form import _received


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# 1. After a holiday closure, the day a point reopens is named with its date.

HOLIDAYS = "Mo-Fr 08:00-12:00; Dec 24-Jan 01 off; PH off"


def test_a_point_closed_over_the_holidays_names_the_monday_it_reopens():
    """Wednesday 23 December: the point reopens on Monday 4 January, not « lundi » 28."""
    evening = datetime(2026, 12, 23, 17, 0, tzinfo=UTC)
    assert hours.status_text(HOLIDAYS, evening, "fr") == "Fermé, ouvre lundi 4 janvier à 8\u00a0h"
    assert hours.status_text(HOLIDAYS, evening, "en") == "Closed, opens Monday 4 January at 08:00"


def test_a_point_reopening_within_the_week_is_named_by_its_day_alone():
    friday_evening = datetime(2026, 12, 18, 17, 0, tzinfo=UTC)
    assert hours.status_text(HOLIDAYS, friday_evening, "fr") == "Fermé, ouvre lundi à 8\u00a0h"


# 2. A point open until midnight closes at midnight, on the day it does.


def test_a_point_open_until_midnight_closes_at_midnight_not_at_zero_hour():
    tuesday = datetime(2026, 12, 22, 10, 0, tzinfo=UTC)
    assert hours.status_text("Mo-Fr 08:00-24:00", tuesday, "fr") == (
        "Ouvert maintenant, ferme à minuit"
    )


def test_a_point_open_day_and_night_says_which_day_it_closes():
    tuesday = datetime(2026, 12, 22, 10, 0, tzinfo=UTC)
    assert hours.status_text("Mo-Fr 00:00-24:00", tuesday, "fr") == (
        "Ouvert maintenant, ferme vendredi à minuit"
    )
    assert hours.status_text("Mo-Fr 00:00-24:00", tuesday, "en") == (
        "Open now, closes Friday at midnight"
    )


# 3. A receipt's address typed loosely still verifies every step.


def test_a_receipt_opened_with_a_space_and_lower_case_verifies_its_steps(client, make, rec):
    owner = make.user(locale="fr")
    device_return = rec.device_return(owner, rec.point())
    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{device_return.receipt_number.lower()}%20"))
    # Its owner reads no warning (in plain words: tests/recycling/test_custody_in_plain_…).
    assert "Chaque étape est signée" in page
    assert "modifiée après coup" not in page and "Attention" not in page


# 4. The wipe's method is the agent's choice, not the first one offered.


def _received_laptop(client, auth, make, rec):
    return _received(auth, client, rec, make, "laptop", wipe_requested=True)


def test_the_wipe_form_chooses_no_method_in_advance(client, auth, make, rec):
    _device_return, base = _received_laptop(client, auth, make, rec)
    page = _text(client.get(base))
    select = re.search(r'<select[^>]*name="method".*?</select>', page, re.S).group(0)
    first = re.search(r"<option[^>]*>", select).group(0)
    assert 'value=""' in first and "selected" not in select


def test_a_wipe_sent_without_a_method_is_refused_at_the_method(client, auth, make, rec):
    device_return, base = _received_laptop(client, auth, make, rec)
    refused = auth.post(
        f"{base}/wipe", {"method": "", "wipe_date": local_today(), "certificate_number": "C-1"}
    )
    assert refused.status_code == 422
    assert "Choisissez une méthode d'effacement." in error_at(_text(refused), "method")
    assert db.session.get(DeviceReturn, device_return.id).status == "received"


# 5. A point is reopened only with an agent who can receive its returns.


def test_a_point_whose_only_agent_is_deactivated_is_not_reopened(client, auth, make, rec):
    gone = make.user(roles=("agent",))
    point = rec.point(active=False, closure_note="Travaux", agents=[gone])
    gone.active = False
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    refused = auth.post(f"/recycling/admin/points/{point.id}/reopen")
    assert refused.status_code == 409
    assert "needs at least one agent" in error_at(_text(refused), "reopen")
    assert not db.session.get(CollectionPoint, point.id).active


def test_a_point_whose_only_agent_lost_the_role_is_not_reopened(client, auth, make, rec):
    former = make.user(roles=("employee", "agent"))
    point = rec.point(active=False, agents=[former])
    db.session.execute(
        delete(UserRole).where(UserRole.user_id == former.id, UserRole.role == "agent")
    )
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    assert auth.post(f"/recycling/admin/points/{point.id}/reopen").status_code == 409
    assert not db.session.get(CollectionPoint, point.id).active


# 6. Closing a point says how many declared devices are still on their way there.


def test_closing_a_point_says_how_many_declared_devices_are_still_expected(client, make, rec):
    agent = make.user(roles=("agent",))
    point = rec.point(agents=[agent])
    owner = make.user()
    for _ in range(3):
        rec.device_return(owner, point, "monitor")
    received = rec.device_return(owner, point, "monitor")
    services.confirm_receipt(received, agent, NOW)
    withdrawn = rec.device_return(owner, point, "monitor")
    services.withdraw_return(owner, withdrawn, NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _text(client.get(f"/recycling/admin/points/{point.id}/edit"))
    said = (
        "3 appareils déclarés sont encore attendus ici\u00a0: les personnes qui les ont "
        "déclarés en sont averties par message, avec votre note, et verront la fermeture sur "
        "leurs reçus."
    )
    assert f'<p id="closure-awaited">{said}</p>' in page
    question = re.search(r'data-confirm="([^"]*)"', page).group(1)
    assert question.endswith(said)


def test_closing_a_point_nobody_is_bringing_a_device_to_says_nothing_of_it(client, make, rec):
    point = rec.point(agents=[make.user(roles=("agent",))])
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _text(client.get(f"/recycling/admin/points/{point.id}/edit"))
    assert "closure-awaited" not in page and "encore attendu" not in page
