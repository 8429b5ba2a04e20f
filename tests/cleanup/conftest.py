"""Fixtures of the clean-up tests: a fixed clock and a campaign factory."""

from datetime import UTC, datetime, timedelta

import pytest

from app.cleanup import services
from app.extensions import db

NOW = datetime(2026, 3, 18, 10, 0, tzinfo=UTC)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def make_campaign(make):
    """make_campaign(**overrides): a published campaign running at NOW (by default)."""

    def build(organiser=None, publish=True, **overrides):
        organiser = organiser or make.user(roles=("organiser",))
        types = services.ensure_default_action_types()
        data = {
            "name_fr": "Nettoyage",
            "name_en": "Clean-up",
            "description_fr": "",
            "description_en": "",
            "starts_at": NOW - timedelta(days=2),
            "ends_at": NOW + timedelta(days=19),
            "all_departments": True,
            "department_ids": [],
            "goals": {"GB": 100, "devices": 5},
            "rules": [
                {
                    "action_type_id": t.id,
                    "points_per_unit": t.points_per_unit,
                    "daily_cap": t.daily_cap,
                }
                for t in types
            ],
        }
        data.update(overrides)
        campaign = services.create_campaign(organiser, data, NOW - timedelta(days=10))
        if publish:
            services.publish_campaign(campaign, organiser, NOW - timedelta(days=9))
        db.session.commit()
        return campaign

    return build
