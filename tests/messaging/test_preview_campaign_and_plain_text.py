"""A template's plain-text e-mail without the blank lines of an empty `{% if %}`, and the
preview for a colleague saying truly what a chosen campaign makes real."""

import html
from datetime import timedelta

from app.core.time import utcnow
from app.messaging.rendering import plain_text
from tests.conftest import login
from tests.messaging.conftest import deliver_to_everyone

HX = {"HX-Request": "true"}

# A paragraph only the people with points read: for the others it comes out empty.
WITH_IF = (
    "Bonjour {{ first_name }}.\n\n{% if false %}\nVous avez des points.\n{% endif %}\n\nÀ bientôt."
)


def test_an_empty_if_block_leaves_one_blank_line_in_the_plain_text_email(make, template, smtp):
    make.user(email="yes@example.org", email_opt_in=True, locale="fr", display_name="Lina Roux")
    deliver_to_everyone(template(body_fr=WITH_IF))
    [(_to, email)] = smtp.messages
    plain = email.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain.startswith("Bonjour Lina.\n\nÀ bientôt.\n")


def test_plain_text_keeps_the_blank_lines_meant_and_the_lines_themselves():
    body = "Un.\n\nDeux.\nTrois.\n\n\n\n\nQuatre."
    assert plain_text(body) == "Un.\n\nDeux.\nTrois.\n\nQuatre."


def _preview_for(auth, recipient: str, campaign_id: str) -> str:
    body = "{{ campaign_name }} {{ points }}"
    texts = dict.fromkeys(("subject_fr", "body_fr", "subject_en", "body_en"), body)
    data = {"key": "x", "name": "x", "recipient": recipient, "campaign_id": campaign_id}
    response = auth.post("/messaging/templates/preview", data=data | texts, headers=HX)
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def test_a_preview_for_a_colleague_about_a_chosen_campaign_says_its_facts_are_real(
    auth, client, make, make_campaign
):
    today = utcnow()
    campaign = make_campaign(name_fr="Semaine du tri", starts_at=today + timedelta(days=30),
                             ends_at=today + timedelta(days=35))  # fmt: skip
    make.user(email="paule@example.org", display_name="Paule Collègue")
    login(client, make.user(roles=("organiser",), locale="fr"))
    preview = _preview_for(auth, "paule@example.org", str(campaign.id))
    assert "Semaine du tri" in preview
    assert (
        "Le nom, les dates, les jours restants, l'avancée de l'objectif et les liens sont "
        "ceux de la campagne choisie" in preview
    )
    assert "Paule" not in preview  # their name too is an example (review of 6 December)


def test_a_preview_for_a_colleague_without_a_campaign_says_all_values_are_examples(
    auth, client, make, make_campaign
):
    make_campaign(name_fr="Semaine du tri")
    make.user(email="paule@example.org", display_name="Paule Collègue")
    login(client, make.user(roles=("organiser",), locale="fr"))
    preview = _preview_for(auth, "paule@example.org", "")
    assert "Le nom, les points, le rang, les badges et les autres variables" in preview
    assert "ceux de la campagne choisie" not in preview
