"""RGAA 6.1: an inbox message read « La page de la campagne : http://…/cleanup/campaigns/2 »,
its link named by a bare address. A link a line introduces (« Label : address », as every
built-in text writes them) is named by its label in the portal and the HTML e-mail; the
plain-text part keeps the address, which is all a text reader can follow."""

from flask import current_app

from app.messaging.rendering import text_to_html
from tests.conftest import login
from tests.messaging.conftest import deliver_to_everyone


def test_a_labelled_link_is_named_by_its_label():
    html = text_to_html("La page de la campagne\u00a0: https://portal.example/cleanup/campaigns/2")
    assert html == (
        '<p><a href="https://portal.example/cleanup/campaigns/2">La page de la campagne</a></p>'
    )


def test_a_label_after_a_sentence_names_the_link_alone():
    html = text_to_html("Merci ! Tous les résultats : https://portal.example/r.")
    assert html == '<p>Merci ! <a href="https://portal.example/r">Tous les résultats</a>.</p>'


def test_a_link_within_a_sentence_keeps_its_words_around_it():
    html = text_to_html("Voir https://portal.example/guides pour aller plus loin.")
    assert '<a href="https://portal.example/guides">https://portal.example/guides</a>' in html


def test_the_inbox_names_a_built_in_style_link_by_its_label(client, make, template):
    person = make.user(locale="fr")
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    deliver_to_everyone(
        template(
            body_fr=f"Bonjour.\nLes guides pour aller plus loin\u00a0: {base}/catalogue/guides"
        )
    )
    login(client, person)
    page = client.get("/messaging/").get_data(as_text=True)
    assert '<a href="/catalogue/guides">Les guides pour aller plus loin</a>' in page
    assert f">{base}/catalogue/guides</a>" not in page


def test_the_email_names_links_in_html_and_keeps_addresses_in_text(make, template, smtp, config):
    config(MAIL_WORKING_HOURS="24/7")
    make.user(email_opt_in=True, locale="en")
    deliver_to_everyone(
        template(body_en="Campaign page: https://portal.example/cleanup/campaigns/2")
    )
    [(_to, message)] = smtp.messages
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert '<a href="https://portal.example/cleanup/campaigns/2">Campaign page</a>' in html
    assert "Campaign page: https://portal.example/cleanup/campaigns/2" in text
