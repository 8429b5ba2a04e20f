"""A closed campaign's individual leaderboard shows each person as its end did: a later
name, pseudonym or new draw never appears beside its frozen ranks and points, which would
tie the old label to the new one. A running board follows the current choice."""

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupParticipant
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import Auth, login

HX = {"HX-Request": "true"}
SAID_FR = "Cette campagne est terminée\u00a0: chaque personne y figure telle qu'elle apparaissait"


def _closed_campaign(make, make_campaign, person):
    """A campaign that ended yesterday, frozen, `person` fourth behind three others."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=1))
    for quantity in (4, 3, 2):
        services.log_action(make.user(), campaign, "delete-mail", quantity, now - timedelta(days=3))
    services.log_action(person, campaign, "delete-mail", 1, now - timedelta(days=3))
    assert services.freeze_campaign(campaign, now)
    db.session.commit()
    return campaign


def _views(observer: FlaskClient, campaign) -> list[str]:
    """The individual board as the page, its htmx fragment and the API give it."""
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard"
    return [
        observer.get(url).get_data(as_text=True),
        observer.get(url, headers=HX).get_data(as_text=True),
        # Its names as they are, not as JSON escapes them (« Écureuil 1233 »).
        " / ".join(
            entry["name"]
            for entry in observer.get(f"/api/v1/campaigns/{campaign.id}/leaderboard").get_json()[
                "entries"
            ]
        ),
    ]


def _api_row(observer: FlaskClient, campaign, rank: int):
    entries = observer.get(f"/api/v1/campaigns/{campaign.id}/leaderboard").get_json()["entries"]
    return next((e for e in entries if e["rank"] == rank), None)


def _choose(app, person, visibility):
    """The person's own choice in their profile, through its form."""
    own = app.test_client()
    login(own, person)
    Auth(own).post("/auth/profile/preferences", {"locale": "fr", "visibility": visibility})


def test_a_closed_board_keeps_the_pseudonym_its_end_showed(app, client, make, make_campaign):
    person = make.user(display_name="Anne Lucas", leaderboard_visibility="pseudonym")
    old = person.pseudonym
    campaign = _closed_campaign(make, make_campaign, person)
    login(client, make.user())
    before = _api_row(client, campaign, 4)
    assert before["name"] == old
    assert all(old in view for view in _views(client, campaign))

    seen = set()
    for visibility in ("name", "pseudonym"):
        _choose(app, person, visibility)
        db.session.refresh(person)
        seen.add(person.pseudonym)
        for view in _views(client, campaign):
            assert old in view and "Anne Lucas" not in view
            assert not any(pseudonym in view for pseudonym in seen)
        assert _api_row(client, campaign, 4) == before
    own = app.test_client()
    login(own, person)
    Auth(own).post("/auth/profile/pseudonym")  # « Tirer un nouveau pseudonyme »
    db.session.refresh(person)
    assert person.pseudonym not in seen | {old}
    for view in _views(client, campaign):
        assert old in view and person.pseudonym not in view
    assert _api_row(client, campaign, 4) == before


def test_a_name_shown_at_the_end_leaves_the_closed_board_for_a_pseudonym(
    app, client, make, make_campaign
):
    person = make.user(display_name="Anne Lucas", leaderboard_visibility="name")
    campaign = _closed_campaign(make, make_campaign, person)
    login(client, make.user())
    assert _api_row(client, campaign, 4)["name"] == "Anne Lucas"

    _choose(app, person, "pseudonym")
    db.session.refresh(person)
    for view in _views(client, campaign):
        assert "Anne Lucas" not in view and person.pseudonym not in view
    assert _api_row(client, campaign, 4) is None
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").get_data(as_text=True)
    assert "comptent dans les rangs" in page or "count in the ranks" in page
    # Their own view still says where they stand, without a row to show.
    own = app.test_client()
    login(own, person)
    mine = own.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").get_data(as_text=True)
    assert (
        "Your rank: 4 of 4" in mine or "Votre rang\u00a0: 4 sur 4" in mine
    ) and "me=1" not in mine


def test_a_name_chosen_after_the_end_never_shows_on_the_closed_board(
    app, client, make, make_campaign
):
    person = make.user(display_name="Anne Lucas", leaderboard_visibility="hidden")
    campaign = _closed_campaign(make, make_campaign, person)
    _choose(app, person, "name")
    login(client, make.user())
    for view in _views(client, campaign):
        assert "Anne Lucas" not in view
    assert _api_row(client, campaign, 4) is None


def test_a_closed_board_says_how_it_names_people(client, make, make_campaign):
    campaign = _closed_campaign(make, make_campaign, make.user())
    login(client, make.user(locale="fr"))
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard"
    for headers in ({}, HX):
        assert SAID_FR in client.get(url, headers=headers).get_data(as_text=True).replace(
            "&#39;", "'"
        )
    assert SAID_FR not in client.get(f"{url}?scope=departments").get_data(as_text=True)


def test_a_running_board_follows_the_current_choice(app, client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    person = make.user(display_name="Anne Lucas", leaderboard_visibility="pseudonym")
    old = person.pseudonym
    services.log_action(person, campaign, "delete-mail", 1, now)
    db.session.commit()
    login(client, make.user())
    assert all(old in view for view in _views(client, campaign))

    assert 'data-testid="closed-board-labels"' not in _views(client, campaign)[0]
    _choose(app, person, "name")
    for view in _views(client, campaign):
        assert "Anne Lucas" in view and old not in view
    _choose(app, person, "pseudonym")
    db.session.refresh(person)
    for view in _views(client, campaign):
        assert person.pseudonym in view and "Anne Lucas" not in view


def _kept_labels(campaign):
    return db.session.execute(
        select(CleanupParticipant.board_shown_as, CleanupParticipant.board_label).where(
            CleanupParticipant.campaign_id == campaign.id
        )
    ).all()


def test_an_erased_person_leaves_the_closed_board_and_their_kept_label(client, make, make_campaign):
    person = make.user(display_name="Anne Lucas", leaderboard_visibility="name")
    campaign = _closed_campaign(make, make_campaign, person)
    assert ("name", "Anne Lucas") in _kept_labels(campaign)
    login(client, make.user())
    assert _api_row(client, campaign, 4)["name"] == "Anne Lucas"  # cached, then erased

    erase_user(person, utcnow())
    db.session.commit()
    assert all("Anne Lucas" not in str(row) for row in _kept_labels(campaign))
    for view in _views(client, campaign):
        assert "Anne Lucas" not in view


def test_retention_forgets_the_labels_kept_on_a_closed_board(client, make, make_campaign):
    person = make.user(display_name="Anne Lucas", leaderboard_visibility="name")
    campaign = _closed_campaign(make, make_campaign, person)
    login(client, make.user())
    assert "Anne Lucas" in client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").get_data(
        as_text=True
    )

    services.anonymise_old_actions(utcnow() + timedelta(days=400), 12)
    db.session.commit()
    assert {label for _shown_as, label in _kept_labels(campaign)} == {None}
    for view in _views(client, campaign):
        assert "Anne Lucas" not in view
