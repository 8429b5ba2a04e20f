"""Staff pages (an admin and a collection agent, in French):
opening-hours exceptions shown in words or refused at the field, a certified wipe never
dated before the device was received, the wipe's question not asked for a date the server
refuses, and the home page naming one's last returned device."""

import html
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.recycling import hours, routes, services
from app.recycling.models import CollectionPoint, CustodyStep, DeviceReturn
from tests.conftest import browser_sign_in, login
from tests.recycling.conftest import error_at, local_today

PARIS = ZoneInfo("Europe/Paris")
CHRISTMAS = "Mo-Fr 08:30-12:00,13:30-17:00; Dec 07 off; Dec 24-Jan 01 off; PH off"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _lines(page: str) -> list[tuple[str, str]]:
    """The (days, hours) lines of the hours shown on a page, spaces made plain."""
    found = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page, re.S)
    return [(" ".join(d.split()), " ".join(h.replace("\u00a0", " ").split())) for d, h in found]


# 1. Opening-hours exceptions: shown in words, or refused at the field.


@pytest.fixture
def point_data(make):
    """The form of a point an admin could save, with an agent to receive its returns."""
    agent = make.user(roles=("employee", "agent"))
    commune = make.commune(name="Bassens", latitude=44.9017, longitude=-0.5167)
    return {"name": "Mairie de Bassens", "commune_id": commune.id, "address": "Rue du Dr Roux",
            "latitude": "44.90", "longitude": "-0.52", "opening_hours": CHRISTMAS,
            "accepted_types": ["laptop"], "agent_ids": [agent.id]}  # fmt: skip


def test_the_christmas_closure_and_a_day_off_saved_by_an_admin_show_in_the_points_list(
    client, auth, make, point_data
):
    login(client, make.user(roles=("employee", "admin"), locale="fr"))
    assert auth.post("/recycling/admin/points/new", point_data).status_code == 302
    login(client, make.user(locale="fr"))
    lines = _lines(_text(client.get("/recycling/?sort=name")))
    assert lines[-3:] == [
        ("7 décembre", "fermé"),
        ("Du 24 décembre au 1er janvier", "fermé"),
        ("Jours fériés", "fermé"),
    ]
    assert lines[0] == ("Du lundi au vendredi", "8 h 30–12 h, 13 h 30–17 h")


def test_the_receipt_names_the_exceptions_in_english(client, make, rec):
    owner = make.user(locale="en")
    device_return = rec.device_return(owner, rec.point(opening_hours=CHRISTMAS), now=utcnow())
    login(client, owner)
    lines = _lines(_text(client.get(f"/recycling/returns/{device_return.receipt_number}")))
    assert ("From 24 December to 1 January", "closed") in lines
    assert ("7 December", "closed") in lines


def test_the_poster_prints_the_exceptions_in_french_and_english(client, make, rec):
    point = rec.point(opening_hours=CHRISTMAS)
    login(client, make.user(roles=("employee", "admin"), locale="fr"))
    lines = _lines(_text(client.get(f"/recycling/points/{point.id}/poster")))
    assert ("Du 24 décembre au 1er janvier", "fermé") in lines
    assert ("From 24 December to 1 January", "closed") in lines


def test_a_range_of_weeks_is_not_shown_as_every_week(client, make, rec):
    rec.point(opening_hours="week 1-26 Tu 14:00-16:00")
    login(client, make.user(locale="fr"))
    lines = _lines(_text(client.get("/recycling/?sort=name")))
    assert lines == [("Du lundi au dimanche", "fermé"), ("Semaines 1 à 26, mardi", "14 h–16 h")]


def test_months_the_first_saturday_and_added_hours_read_in_words():
    expression = (
        "Mo-Fr 09:00-12:00; Apr-Aug Sa[1] 09:00-12:00; Oct 05 14:00-16:00 closed; "
        "2026 Dec 31 10:00-12:00"
    )
    assert hours.describe_text(expression, "fr").replace("\u00a0", " ").split(" ; ")[2:] == [
        "D'avril à août, premier samedi du mois : 9 h–12 h",
        "5 octobre : fermé 14 h–16 h",
        "31 décembre 2026 : 10 h–12 h",
    ]


def test_hours_added_after_a_comma_say_they_add_to_the_day():
    described = hours.describe_text("Mo-Fr 09:00-12:00, Dec 24 14:00-16:00", "en")
    assert described.endswith("24 December: also open 14:00–16:00")


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("Mo-Fr 08:30-12:00; SH off", "ne peut donc pas afficher « SH »"),
        ("Mo-Fr sunrise-sunset", "ne sait pas afficher « sunrise-sunset » en toutes lettres"),
        ("Mo-Fr 08:30-12:00; PH +1 day off", "ne sait pas afficher « PH +1 day off »"),
        ("Dec 07 off; Mo-Fr 08:30-12:00", "placez « Mo-Fr 08:30-12:00 » avant « Dec 07 off »"),
    ],
)
def test_hours_the_pages_cannot_show_are_refused_at_their_field(
    client, auth, make, point_data, typed, said
):
    login(client, make.user(roles=("employee", "admin"), locale="fr"))
    response = auth.post("/recycling/admin/points/new", {**point_data, "opening_hours": typed})
    assert response.status_code == 422
    assert said in error_at(_text(response), "opening_hours").replace("\u00a0", " ")
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == 0


def test_hours_saved_before_that_the_pages_cannot_word_are_shown_as_entered(client, make, rec):
    """Never hidden: the usual week, then the rules as written."""
    rec.point(opening_hours="Mo-Fr 08:30-12:00; SH off")
    login(client, make.user(locale="fr"))
    lines = _lines(_text(client.get("/recycling/?sort=name")))
    assert lines[-1] == ("Horaires saisis", "Mo-Fr 08:30-12:00; SH off")


# 2. A certified wipe is never dated before the device was received.


def _received_by_an_agent(client, auth, make, rec, declared_at):
    """A laptop declared at `declared_at`, its certified wipe requested, received now by a
    French agent signed in on `client`; the URL of its page at the desk."""
    point = rec.point(opening_hours="24/7")
    device_return = rec.device_return(make.user(), point, now=declared_at, wipe_requested=True)
    agent = rec.agent(point)
    agent.locale = "fr"
    db.session.commit()
    login(client, agent)
    base = f"/recycling/agent/returns/{device_return.receipt_number}"
    assert auth.post(f"{base}/receive").status_code == 302
    return device_return, base


def _wipe(auth, base, day: str):
    return auth.post(
        f"{base}/wipe", {"method": "crypto_erase", "wipe_date": day, "certificate_number": "C-9"}
    )


def _wiped(device_return) -> int:
    return db.session.scalar(
        select(func.count(CustodyStep.id)).where(
            CustodyStep.return_id == device_return.id, CustodyStep.step == "wiped"
        )
    )


def test_a_wipe_dated_before_the_receipt_is_refused_at_its_field(client, auth, make, rec):
    """Declared ten days ago, received today, wiped « five days ago »: refused."""
    device_return, base = _received_by_an_agent(
        client, auth, make, rec, utcnow() - timedelta(days=10)
    )
    earlier = (date.fromisoformat(local_today()) - timedelta(days=5)).isoformat()
    response = _wipe(auth, base, earlier)
    assert response.status_code == 422
    error = error_at(_text(response), "wipe_date")
    assert "La date d'effacement ne peut pas précéder la réception de l'appareil, le " in error
    assert _wiped(device_return) == 0
    assert db.session.get(DeviceReturn, device_return.id).status == "received"


@pytest.fixture
def just_after_midnight(monkeypatch):
    """10 December 2026 at 00:30 in Paris, still 9 December in UTC."""
    moment = datetime(2026, 12, 10, 0, 30, tzinfo=PARIS).astimezone(UTC)
    monkeypatch.setattr(routes, "utcnow", lambda: moment)
    return moment


def test_a_wipe_on_the_local_day_of_the_receipt_is_accepted_after_midnight(
    client, auth, make, rec, just_after_midnight
):
    device_return, base = _received_by_an_agent(
        client, auth, make, rec, just_after_midnight - timedelta(days=9)
    )
    assert _wipe(auth, base, "2026-12-10").status_code == 302
    assert _wiped(device_return) == 1


def test_a_wipe_on_the_utc_day_before_a_receipt_after_midnight_is_refused(
    client, auth, make, rec, just_after_midnight
):
    """Received on 10 December in Paris: 9 December is before the receipt."""
    device_return, base = _received_by_an_agent(
        client, auth, make, rec, just_after_midnight - timedelta(days=9)
    )
    response = _wipe(auth, base, "2026-12-09")
    assert "le 10 déc. 2026" in error_at(_text(response), "wipe_date")
    assert _wiped(device_return) == 0


# 3. The question before signing the wipe is not asked for a date the server refuses.


@pytest.mark.browser
def test_the_agent_is_asked_to_sign_only_a_wipe_date_the_server_takes(page, make, rec):
    point = rec.point(opening_hours="24/7")
    agent = rec.agent(point)
    device_return = rec.device_return(
        make.user(), point, now=utcnow() - timedelta(days=10), wipe_requested=True
    )
    services.confirm_receipt(device_return, agent, utcnow())
    db.session.commit()
    today = date.fromisoformat(local_today())
    browser_sign_in(page, agent)
    page.goto(f"/recycling/agent/returns/{device_return.receipt_number}")
    record = page.get_by_role("button", name="Enregistrer l'effacement")
    dialog = page.get_by_role("alertdialog")
    page.get_by_label("Méthode d'effacement").select_option("crypto_erase")

    page.get_by_label("Numéro de certificat").fill("CERT-12")
    page.get_by_label("Date de l'effacement").fill((today + timedelta(days=10)).isoformat())
    record.click()
    expect(page.locator("#wipe_date-error")).to_contain_text("ne peut pas être dans le futur")
    expect(dialog).to_have_count(0)

    page.get_by_label("Numéro de certificat").fill("CERT-12")
    page.get_by_label("Date de l'effacement").fill((today - timedelta(days=3)).isoformat())
    record.click()
    expect(page.locator("#wipe_date-error")).to_contain_text("ne peut pas précéder la réception")
    expect(dialog).to_have_count(0)

    page.get_by_label("Numéro de certificat").fill("CERT-12")
    page.get_by_label("Date de l'effacement").fill(today.isoformat())
    record.click()
    expect(dialog).to_contain_text("Enregistrer l'effacement avec le certificat CERT-12")
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_have_count(0)
    assert db.session.get(DeviceReturn, device_return.id).status == "received"


# 4. The home page names one's last returned device.


def test_the_home_page_names_my_last_returned_device(client, make, rec):
    owner = make.user(locale="fr")
    rec.device_return(owner, rec.point(), "tablet", now=utcnow(), asset_tag="BM-TAB-12")
    login(client, owner)
    page = _text(client.get("/"))
    line = " ".join(page.split("Mon dernier dépôt", 1)[1].split("</p>", 1)[0].split())
    assert "· Tablette (n° d'inventaire BM-TAB-12) ·" in line
