"""An erasure carried out (by an administrator before its day, or by the daily job) is
told to the person by e-mail, in their language, at the address it then wipes; nothing of
that address or e-mail stays in the database. The profile no longer promises the whole
delay: an administrator may carry the request out sooner."""

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.privacy_services import erasure_job, request_erasure
from app.extensions import db
from tests.conftest import Auth, login
from tests.messaging.conftest import smtp_down  # noqa: F401 - a mail server that does not answer


def _erasure_asked_by(make, days_ago: int = 0, **person):
    person = make.user(**person)
    request = request_erasure(person, datetime.now(UTC) - timedelta(days=days_ago))
    db.session.commit()
    return person, request


def _executed_by_an_admin(app, make, request) -> None:
    admin_client = app.test_client()
    login(admin_client, make.user(roles=("admin",)))
    answer = Auth(admin_client).post(f"/admin/erasures/{request.id}/execute")
    assert answer.status_code == 302


def _everything_stored() -> str:
    """Every row of every table, as text."""
    rows = []
    for table in db.metadata.sorted_tables:
        rows += [repr(tuple(row)) for row in db.session.execute(select(table)).all()]
    return "\n".join(rows)


def test_a_person_erased_early_by_an_admin_is_told_by_e_mail_in_their_language(app, make, smtp):
    _person, request = _erasure_asked_by(
        make, email="zoe.garnier@example.org", display_name="Zoé Garnier", locale="fr"
    )
    _executed_by_an_admin(app, make, request)
    [(to, message)] = smtp.messages
    body = message.get_content()
    today = datetime.now(UTC).astimezone()  # the day in words, whichever zone
    assert to == "zoe.garnier@example.org"
    assert message["Subject"] == "Votre compte Empreinte est effacé"
    assert message["Content-Language"] == "fr"
    assert "ont été effacés le" in body and str(today.year) in body
    assert "chaîne de traçabilité" in body  # what is kept, as the notice says
    assert "/privacy" in body and "délégué à la protection des données" in body


def test_the_daily_job_tells_each_person_it_erased(make, smtp):
    _erasure_asked_by(make, days_ago=31, email="sam.hill@example.org", locale="en")
    erasure_job()
    [(to, message)] = smtp.messages
    assert to == "sam.hill@example.org"
    assert message["Subject"] == "Your Empreinte account is erased"
    assert "Your Empreinte account and your personal data were erased on" in (message.get_content())


def test_nothing_of_the_address_or_the_e_mail_stays_after_the_erasure(app, make, smtp):
    _person, request = _erasure_asked_by(make, email="ines.roux@example.org", locale="en")
    _executed_by_an_admin(app, make, request)
    assert smtp.recipients() == ["ines.roux@example.org"]
    stored = _everything_stored().lower()
    assert "ines.roux" not in stored
    assert "your empreinte account is erased" not in stored


def test_an_erasure_still_happens_when_the_mail_server_is_down(app, make, smtp_down, caplog):  # noqa: F811
    caplog.set_level(logging.WARNING)
    person, request = _erasure_asked_by(make, locale="en")
    _executed_by_an_admin(app, make, request)
    assert db.session.get(User, person.id).anonymised_at is not None
    assert "erasure confirmations not sent: the mail server does not answer" in caplog.text


def test_the_profile_says_an_admin_may_carry_the_request_out_sooner(client, auth, make):
    login(client, make.user(locale="en"))
    page = auth.post("/auth/profile/erasure", {"confirm": "y"}, follow_redirects=True).get_data(
        as_text=True
    )
    page = page.replace("&#39;", "'")
    assert "at the latest; the portal's administrators may carry it out sooner." in page
    assert "at the latest, 30 days after you made it; the portal's administrators" in page
    assert "you will receive an e-mail once it is." in page


def test_the_erase_command_warns_when_the_person_could_not_be_told(runner, make, smtp_down):  # noqa: F811
    person = make.user()
    result = runner.invoke(args=["privacy", "erase", person.email, "--yes"])
    assert result.exit_code == 0
    assert "the person could not be told by e-mail" in result.stderr
    assert db.session.get(User, person.id).anonymised_at is not None
