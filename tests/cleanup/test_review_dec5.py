"""Browser review (5 December): all one's entries stay listed after logging, each entry's
controls name their entry, and an ended campaign no longer invites to log."""

import re
from datetime import timedelta

from app.cleanup import services
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login

HTMX = {"HX-Request": "true"}


def _running(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))


def _with_entries(make, campaign, count):
    person = make.user(locale="fr")
    now = utcnow()
    for minutes in range(count):
        services.log_action(person, campaign, "delete-mail", 1, now - timedelta(minutes=minutes))
    db.session.commit()
    return person


def _log(client, campaign, path_suffix="", headers=None):
    return client.post(
        f"/cleanup/campaigns/{campaign.id}/actions{path_suffix}",
        data={"action_type": "delete-mail", "quantity": "0.5", "csrf_token": csrf_token(client)},
        headers=headers or {},
    )


def test_logging_while_all_entries_are_shown_keeps_them_all_listed(client, make, make_campaign):
    campaign = _running(make_campaign)
    login(client, _with_entries(make, campaign, 7))
    page = client.get(f"/cleanup/campaigns/{campaign.id}?entries=all").get_data(as_text=True)
    log_url = re.search(r'hx-post="([^"]*/actions[^"]*)"', page).group(1)
    assert "entries=all" in log_url
    answer = _log(client, campaign, "?entries=all", HTMX).get_data(as_text=True)
    assert answer.count('name="quantity" value=') == 8  # the seven, and the new one


def test_without_javascript_a_log_comes_back_to_all_the_entries(client, make, make_campaign):
    campaign = _running(make_campaign)
    login(client, _with_entries(make, campaign, 7))
    answer = _log(client, campaign, "?entries=all")
    assert answer.status_code == 302
    assert answer.location.endswith(f"/cleanup/campaigns/{campaign.id}?entries=all#my-progress")
    assert _log(client, campaign).location.endswith(f"/cleanup/campaigns/{campaign.id}#my-progress")


def test_each_entrys_correction_and_deletion_name_the_entry(client, make, make_campaign):
    """Tabbing through "My entries", each field and button says which entry it is for:
    the action, then when it was logged."""
    campaign = _running(make_campaign)
    login(client, _with_entries(make, campaign, 2))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    rows = re.findall(r'<tr role="row">\s*<th scope="row" role="rowheader" id="(entry-\d+)">'
                      r"(.*?)</tr>", page, re.S)  # fmt: skip
    assert len(rows) == 2
    for entry, row in rows:
        assert f'id="{entry}-when"' in row
        controls = re.findall(r'<(?:input|button)[^>]*id="(?:quantity|correct|delete)-[^>]*>', row)
        assert len(controls) == 3
        for control in controls:
            assert f'aria-describedby="{entry} {entry}-when"' in control


def test_a_refused_correction_is_described_by_its_error_first(client, make, make_campaign):
    campaign = _running(make_campaign)
    person = _with_entries(make, campaign, 1)
    login(client, person)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    entry_id = re.search(r'id="entry-(\d+)"', page).group(1)
    answer = client.post(
        f"/cleanup/actions/{entry_id}/correct",
        data={"quantity": "abc", "csrf_token": csrf_token(client)},
        headers=HTMX,
    ).get_data(as_text=True)
    field = re.search(rf'<input id="quantity-{entry_id}"[^>]*>', answer).group(0)
    assert 'aria-invalid="true"' in field
    assert f'aria-describedby="progress-status entry-{entry_id} entry-{entry_id}-when"' in field
    assert db.session.get(CleanupAction, int(entry_id)).quantity == 1  # nothing changed


def test_an_ended_campaign_without_a_badge_does_not_invite_to_log(client, make, make_campaign):
    now = utcnow()
    ended = make_campaign(starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=9))
    login(client, make.user(locale="fr"))
    page = client.get(f"/cleanup/campaigns/{ended.id}").get_data(as_text=True)
    assert "Aucun badge obtenu dans cette campagne." in page
    assert "enregistrez une première action" not in page
    running = _running(make_campaign)
    page = client.get(f"/cleanup/campaigns/{running.id}").get_data(as_text=True)
    assert "Pas encore de badge\xa0: enregistrez une première action\xa0!" in page
