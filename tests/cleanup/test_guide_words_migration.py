"""The migration 20261208_cleanup_guide_words: the built-in "Return a device" guide of an
existing portal says « dépôt », unless an organiser wrote their own."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, update

from app import create_app
from app.cleanup import services
from app.cleanup.models import CleanupActionType
from app.config import TestConfig
from app.extensions import db

BEFORE = "20261208_recycling_chain_seal"
OLD = (
    "Déposez un équipement inutilisé dans un point de collecte\u00a0: le module "
    "Recyclage enregistre le retour et l'action est comptée automatiquement."
)


@pytest.mark.parametrize("own_text", [None, "Apportez votre appareil à la mairie."])
def test_the_built_in_guide_says_depot_and_an_organisers_text_stays(empty_database_url, own_text):
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with portal.app_context():
        upgrade(revision=BEFORE)
        services.ensure_default_action_types()
        db.session.execute(
            update(CleanupActionType)
            .where(CleanupActionType.key == "return-device")
            .values(guide_fr=own_text or OLD)
        )
        db.session.commit()
        upgrade(revision="heads")
        guide = db.session.scalar(
            select(CleanupActionType.guide_fr).where(CleanupActionType.key == "return-device")
        )
        db.session.remove()
        db.engine.dispose()
    expected = own_text or OLD.replace("enregistre le retour", "enregistre le dépôt")
    assert guide == expected
