"""`{{ rank }}` of someone with no points yet reads "not ranked yet" in their language,
in the organiser's own preview and in the message sent, where « rang . » came out; it
stays false in `{% if rank %}`, so the built-ins still leave the rank out."""

import html
from datetime import timedelta

from app.cleanup import services as cleanup_services
from app.core.personalisation import variables_for
from app.core.time import utcnow
from app.messaging.rendering import sandbox
from tests.conftest import login
from tests.messaging.conftest import deliver_to_everyone, inbox_of

HX = {"HX-Request": "true"}
RANK_FR = "Vous avez {{ points_text }}, rang {{ rank }}."
RANK_EN = "You have {{ points_text }}, rank {{ rank }}."


def _running(make_campaign):
    today = utcnow()
    return make_campaign(starts_at=today - timedelta(days=2), ends_at=today + timedelta(days=19))


def test_an_organisers_own_preview_with_no_points_says_not_ranked_yet(
    auth, client, make, make_campaign
):
    _running(make_campaign)
    login(client, make.user(roles=("organiser",), locale="fr"))
    texts = {"subject_fr": "x", "body_fr": RANK_FR, "subject_en": "x", "body_en": RANK_EN}
    response = auth.post(
        "/messaging/templates/preview", data={"key": "x", "name": "x", **texts}, headers=HX
    )
    preview = html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")
    assert "Vous avez 0 point, rang pas encore classé." in preview
    assert "You have 0 points, rank not ranked yet." in preview


def test_a_message_sent_to_someone_with_no_points_says_not_ranked_yet(
    make, make_campaign, template
):
    _running(make_campaign)
    person = make.user(locale="fr")
    deliver_to_everyone(template(body_fr=RANK_FR))
    [message] = inbox_of(person)
    assert "Vous avez 0 point, rang pas encore classé." in message.body


def test_a_ranked_person_keeps_their_number(make, make_campaign):
    campaign = _running(make_campaign)
    person = make.user(locale="en")
    cleanup_services.log_action(person, campaign, "delete-mail", 2, utcnow())
    values = variables_for([person], utcnow(), {"campaign_id": campaign.id})[person.id]
    assert values["rank"] == "1"


def test_no_rank_is_still_false_in_a_condition(make, make_campaign):
    campaign = _running(make_campaign)
    person = make.user(locale="en")
    values = variables_for([person], utcnow(), {"campaign_id": campaign.id})[person.id]
    condition = sandbox().from_string("{% if rank %}rank {{ rank }}{% else %}none{% endif %}")
    assert values["rank"] == "not ranked yet" and condition.render(values) == "none"
