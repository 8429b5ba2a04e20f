"""Token names that differ only by characters nobody sees ("Ra\u200bce" and "Race") are
the same name: two "Revoke Race" buttons could not be told apart."""

import html

from app.auth.models import ApiToken
from app.extensions import db
from tests.conftest import login


def test_a_name_differing_only_by_a_zero_width_space_is_refused(client, auth, make):
    user = make.user(locale="fr")
    login(client, user)
    auth.post("/auth/profile/tokens", {"name": "Race"})

    response = auth.post("/auth/profile/tokens", {"name": "Ra\u200bce"})

    assert response.status_code == 422
    assert "Vous avez déjà un jeton de ce nom\u00a0: choisissez-en un autre." in html.unescape(
        response.text
    )
    assert db.session.scalars(db.select(ApiToken.name).filter_by(user_id=user.id)).all() == ["Race"]
