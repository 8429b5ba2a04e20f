"""« Préparer une nouvelle campagne à partir de celle-ci »: last spring's campaign fills the
new-campaign form (names, descriptions, scope, goals, action types with their points and
daily limits), its dates left to choose; nothing is saved until the form is sent, checked
as any new campaign's, and the campaign it came from stays as it was."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.cleanup import services
from app.cleanup.models import CleanupCampaign
from app.extensions import db
from tests.cleanup.conftest import NOW, in_days
from tests.conftest import login


class _FormReader(HTMLParser):
    """The values a browser would send from the page's campaign form: its inputs (ticked
    boxes only) and text areas."""

    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._area = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea":
            self._area = [attrs["name"], ""]

    def handle_data(self, data):
        if self._area is not None:
            self._area[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._area is not None:
            # A browser drops the line break that follows the opening tag.
            text = self._area[1].removeprefix("\r\n").removeprefix("\n")
            self.values.append((self._area[0], text))
            self._area = None


def _form_values(page: str) -> dict:
    reader = _FormReader()
    reader.feed(page)
    values: dict = {}
    for name, value in reader.values:
        values.setdefault(name, []).append(value)
    return {name: found if len(found) > 1 else found[0] for name, found in values.items()}


def _counting(values: dict) -> dict[int, tuple[str, str]]:
    """The action types ticked as counting, with their points and daily limit as shown."""
    counted = {}
    for name in values:
        if name.endswith("-enabled"):
            line = name.removesuffix("-enabled")
            counted[int(values[f"{line}-action_type_id"])] = (
                values[f"{line}-points_per_unit"],
                values[f"{line}-daily_cap"],
            )
    return counted


def _stored(campaign: CleanupCampaign) -> tuple:
    """Everything an organiser set of a campaign, as stored."""
    return (
        campaign.name_fr,
        campaign.name_en,
        campaign.description_fr,
        campaign.description_en,
        campaign.starts_at,
        campaign.ends_at,
        campaign.all_departments,
        sorted(campaign.department_ids),
        sorted((g.unit, g.target) for g in campaign.goals),
        sorted((r.action_type_id, r.points_per_unit, r.daily_cap) for r in campaign.action_rules),
        campaign.published_at,
        campaign.edit_version,
    )


def _campaigns() -> int:
    return db.session.scalar(select(func.count()).select_from(CleanupCampaign))


@pytest.fixture
def last_spring(make, make_campaign):
    """Last spring's closed campaign for one department, and an organiser (in French)."""
    organiser = make.user(roles=("organiser",), locale="fr")
    ours, _other = make.department(), make.department()
    mail, files, *_ = services.ensure_default_action_types()
    campaign = make_campaign(
        organiser=organiser,
        name_fr="Nettoyage numérique 2025",
        name_en="Digital Clean-up 2025",
        description_fr="Videz vos boîtes.\nRendez vos vieux écrans.",
        description_en="Empty your mailboxes.",
        starts_at=NOW - timedelta(days=365),
        ends_at=NOW - timedelta(days=344),
        all_departments=False,
        department_ids=[ours.id],
        goals={"GB": 250, "devices": 12, "participants": 40},
        rules=[
            {"action_type_id": mail.id, "points_per_unit": 7, "daily_cap": 15},
            {"action_type_id": files.id, "points_per_unit": 3.5, "daily_cap": 4},
        ],
    )
    return organiser, campaign, ours


def test_the_prepared_form_holds_last_campaigns_goals_and_rules_not_its_dates(client, last_spring):
    organiser, campaign, ours = last_spring
    login(client, organiser)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Préparer une nouvelle campagne à partir de celle-ci" in page
    assert f'href="/cleanup/campaigns/new?from={campaign.id}"' in page

    response = client.get(f"/cleanup/campaigns/new?from={campaign.id}")
    page = response.get_data(as_text=True)
    values = _form_values(page)
    assert response.status_code == 200
    assert "Préparée à partir de «\u00a0Nettoyage numérique 2025\u00a0»" in page
    assert values["name_fr"] == "Nettoyage numérique 2025"
    assert values["name_en"] == "Digital Clean-up 2025"
    assert values["description_fr"].splitlines() == [
        "Videz vos boîtes.",
        "Rendez vos vieux écrans.",
    ]
    assert values["description_en"] == "Empty your mailboxes."
    assert values["starts_at"] == "" and values["ends_at"] == ""
    assert "all_departments" not in values and values["departments"] == str(ours.id)
    assert values["goal_gb"] == "250" and values["goal_devices"] == "12"
    assert values["goal_participants"] == "40" and values["goal_items"] == ""
    mail, files = (rule.action_type_id for rule in campaign.action_rules)
    # Their points and limits written the French way; the other types left unticked.
    assert _counting(values) == {mail: ("7", "15"), files: ("3,5", "4")}
    assert values["version"] == ""  # a new campaign's form, not the source's edit form


def test_saving_it_creates_a_new_draft_and_leaves_the_source_untouched(client, last_spring):
    organiser, campaign, ours = last_spring
    before = _stored(campaign)
    login(client, organiser)
    url = f"/cleanup/campaigns/new?from={campaign.id}"
    values = _form_values(client.get(url).get_data(as_text=True))
    assert _campaigns() == 1  # showing it saved nothing

    # Sent without dates: refused as any new campaign, nothing saved.
    refused = client.post(url, data=values)
    assert refused.status_code == 422 and _campaigns() == 1
    assert "Indiquez la date et l'heure de début" in refused.get_data(as_text=True)

    values.update(
        name_fr="Nettoyage numérique 2026",
        name_en="Digital Clean-up 2026",
        starts_at=in_days(60, "09:00"),
        ends_at=in_days(81, "18:00"),
    )
    response = client.post(url, data=values)
    assert response.status_code == 302
    new = db.session.scalar(select(CleanupCampaign).where(CleanupCampaign.id != campaign.id))
    assert response.headers["Location"].endswith(f"/cleanup/campaigns/{new.id}")
    assert new.published_at is None and new.created_by_id == organiser.id  # a draft
    assert new.name_fr == "Nettoyage numérique 2026" and new.name_en == "Digital Clean-up 2026"
    assert new.description_fr.splitlines() == ["Videz vos boîtes.", "Rendez vos vieux écrans."]
    assert new.description_en == "Empty your mailboxes."
    assert new.all_departments is False and new.department_ids == {ours.id}
    assert sorted((g.unit, g.target) for g in new.goals) == [
        ("GB", 250),
        ("devices", 12),
        ("participants", 40),
    ]
    assert sorted((r.action_type_id, r.points_per_unit, r.daily_cap) for r in new.action_rules) == (
        sorted((r.action_type_id, r.points_per_unit, r.daily_cap) for r in campaign.action_rules)
    )
    db.session.expire_all()
    assert _stored(db.session.get(CleanupCampaign, campaign.id)) == before


def test_a_draft_can_be_the_source_too(client, make, make_campaign):
    organiser = make.user(roles=("organiser",), locale="en")
    draft = make_campaign(organiser=organiser, publish=False, name_en="Autumn sprint")
    login(client, organiser)
    page = client.get(f"/cleanup/campaigns/{draft.id}").get_data(as_text=True)
    assert "Prepare a new campaign from this one" in page
    values = _form_values(client.get(f"/cleanup/campaigns/new?from={draft.id}").get_data(True))
    assert values["name_en"] == "Autumn sprint"


def test_organisers_are_offered_it_and_an_employee_cannot_use_it(client, make, last_spring):
    organiser, campaign, ours = last_spring
    login(client, organiser)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'href="/cleanup/campaigns/new?from={campaign.id}"' in page
    login(client, make.user(department=ours))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert "/cleanup/campaigns/new" not in page
    assert "Préparer une nouvelle campagne" not in page
    assert client.get(f"/cleanup/campaigns/new?from={campaign.id}").status_code == 403
    values = {"name_fr": "Copie", "name_en": "Copy", "starts_at": in_days(60, "09:00")}
    sent = client.post(f"/cleanup/campaigns/new?from={campaign.id}", data=values)
    assert sent.status_code in (400, 403) and _campaigns() == 1


@pytest.mark.parametrize(
    "asked", ["999999", "0", "-1", "abc", "", "99999999999999999999", "2147483648", "١٢"]
)
def test_a_bad_id_is_a_404_and_changes_nothing(client, last_spring, asked):
    organiser, campaign, _ours = last_spring
    before = _stored(campaign)
    login(client, organiser)
    response = client.get("/cleanup/campaigns/new", query_string={"from": asked})
    assert response.status_code == 404
    # The form sent with it holds its own answers: refused as incomplete, not a 500.
    sent = client.post("/cleanup/campaigns/new", query_string={"from": asked}, data={})
    assert sent.status_code in (400, 422)
    assert _campaigns() == 1
    db.session.expire_all()
    assert _stored(db.session.get(CleanupCampaign, campaign.id)) == before
