"""The demo seed gives the demo accounts an inbox of the past weeks, through the outbox."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.messaging.models import Delivery

EMPLOYEE = "employee@demo.empreinte.fr"


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["demo", "seed", "--employees", "150"])
    assert result.exit_code == 0, result.output


def test_a_demo_account_finds_read_and_unread_messages_in_its_language(seeded, auth, client):
    assert auth.sign_in(EMPLOYEE, "demo").status_code == 302
    page = client.get("/messaging/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    unread = page.count('class="message message-unread"')
    read = page.count('class="message"')
    assert unread >= 2 and read >= 3, (unread, read)
    # In French, the demo accounts' language: the digests and the decision on a request.
    assert "Votre semaine numérique responsable" in page
    assert "Votre demande est acceptée" in page
    assert "Your responsible digital week" not in page


def test_the_demo_inbox_history_sends_no_email(seeded):
    statuses = set(db.session.scalars(select(Delivery.status).where(Delivery.channel == "email")))
    assert statuses == {"skipped"}
