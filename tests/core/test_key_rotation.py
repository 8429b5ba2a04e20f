"""Rolling out a new SECRET_KEY with the former one in SECRET_KEY_FALLBACKS: what was
signed before (sessions, unsubscribe links in e-mails already sent) still works, and
what is signed from then on uses the new key alone."""

from app.auth.models import User
from app.extensions import db
from tests.conftest import login

FORMER, NEW = "former-key-of-the-portal", "new-key-of-the-portal"


def _unsubscribe_link(application, user) -> str:
    from app.messaging.audiences import unsubscribe_token

    # Read here: in the other app's context, a refresh of `user` would take a connection
    # from that app's engine for this test's session, and hold it past its disposal.
    user_id = user.id
    with application.app_context():
        return f"/messaging/unsubscribe/{unsubscribe_token(user_id)}"


def test_an_unsubscribe_link_sent_before_the_new_key_still_unsubscribes(make_app, make):
    user = make.user(email_opt_in=True)
    link = _unsubscribe_link(make_app(SECRET_KEY=FORMER), user)
    rolled = make_app(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[FORMER])

    answer = rolled.test_client().post(link, data={"List-Unsubscribe": "One-Click"})

    assert answer.status_code == 200
    assert db.session.get(User, user.id).email_opt_in is False


def test_without_the_former_key_its_links_are_refused(make_app, make):
    user = make.user(email_opt_in=True)
    link = _unsubscribe_link(make_app(SECRET_KEY=FORMER), user)

    answer = (
        make_app(SECRET_KEY=NEW).test_client().post(link, data={"List-Unsubscribe": "One-Click"})
    )

    assert answer.status_code == 404 and db.session.get(User, user.id).email_opt_in


def test_people_stay_signed_in_across_the_new_key(make_app, make):
    before = make_app(SECRET_KEY=FORMER).test_client()
    login(before, make.user())
    cookie = before.get_cookie("session")
    after = make_app(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[FORMER]).test_client()
    after.set_cookie("session", cookie.value)

    assert after.get("/auth/profile").status_code == 200


def test_new_links_are_signed_with_the_new_key_alone(make_app, make):
    user = make.user(email_opt_in=True)
    link = _unsubscribe_link(make_app(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[FORMER]), user)

    answer = (
        make_app(SECRET_KEY=NEW).test_client().post(link, data={"List-Unsubscribe": "One-Click"})
    )

    assert answer.status_code == 200
