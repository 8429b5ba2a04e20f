"""A person who asked for their account to be erased gets no more e-mails during the
grace period before it is carried out; their portal inbox still gets its copy."""

from datetime import timedelta

from app.core import privacy_services
from app.core.time import utcnow
from app.extensions import db
from tests.messaging.conftest import deliver_to_everyone, inbox_of


def test_no_email_goes_to_someone_whose_erasure_is_pending(make, template, smtp):
    leaving = make.user(email="leaving@example.org", email_opt_in=True)
    staying = make.user(email="staying@example.org", email_opt_in=True)
    privacy_services.request_erasure(leaving, utcnow() - timedelta(hours=1))
    db.session.commit()

    deliver_to_everyone(template())

    assert smtp.recipients() == [staying.email]
    assert [d.status for d in inbox_of(leaving)] == ["delivered"]


def test_emails_go_again_once_the_erasure_is_cancelled(make, template, smtp):
    person = make.user(email="person@example.org", email_opt_in=True)
    privacy_services.request_erasure(person, utcnow() - timedelta(hours=2))
    privacy_services.cancel_erasure(person, utcnow() - timedelta(hours=1))
    db.session.commit()

    deliver_to_everyone(template())

    assert person.email in smtp.recipients()
