"""RGAA 4.1 (French UI, screen reader, keyboard): the unsubscribe
page's states, the language of the template editor's fields and of bilingual template
names, the inbox's « Marquer comme lu » buttons, the schedule form and a dispatch's page."""

import html
import re
from datetime import timedelta

import pytest

from app.core.time import utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.audiences import unsubscribe_token
from tests.conftest import csrf_token, login
from tests.messaging.test_double_send import _inbox_of_one

BILINGUAL = "Dernières 48 heures / Last 48 hours"


def _html(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def _builtin(template, name: str):
    """A built-in template named `name` (as `ensure_builtin_templates` stores them): only
    theirs are split into a French and an English half, never an organiser's."""
    saved = template(name=name)
    saved.builtin = True
    db.session.commit()
    return saved


def _title_and_h1(page: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    return " ".join(title.split()), re.sub(r"<[^>]+>", "", h1).strip()


def _unsubscribe_url(user) -> str:
    return f"/messaging/unsubscribe/{unsubscribe_token(user.id)}"


# --- the unsubscribe page ------------------------------------------------------------------


def test_a_confirmed_unsubscribe_has_its_own_title_and_heading(client, make):
    person = make.user(email_opt_in=True, locale="fr")
    page = _html(
        client.post(
            _unsubscribe_url(person), data={"csrf_token": csrf_token(client)}, follow_redirects=True
        )
    )
    title, h1 = _title_and_h1(page)
    assert title.startswith("Désabonnement confirmé") and h1 == "Désabonnement confirmé"


def test_the_result_of_unsubscribing_takes_the_focus_instead_of_a_silent_status(client, make):
    """A role="status" in the page from its first byte is read by no screen reader."""
    person = make.user(email_opt_in=True, locale="fr")
    page = _html(
        client.post(
            _unsubscribe_url(person), data={"csrf_token": csrf_token(client)}, follow_redirects=True
        )
    )
    assert re.search(
        r'<p id="unsubscribe-result" tabindex="-1" autofocus>C\'est fait : Empreinte ne vous', page
    )
    assert '<p role="status">' not in page


def test_the_one_click_unsubscribe_still_answers_the_page_itself(client, make):
    """RFC 8058: a mail client posts once, with no session, and reads a 200."""
    person = make.user(email_opt_in=True, locale="en")
    answer = client.post(_unsubscribe_url(person), data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert _title_and_h1(_html(answer))[1] == "Unsubscribe confirmed"


def test_after_undoing_the_page_says_the_subscription_is_back_and_leads_on(client, make):
    person = make.user(email_opt_in=True, locale="fr")
    client.post(_unsubscribe_url(person), data={"csrf_token": csrf_token(client)})
    answer = client.post(  # this browser keeps the receipt: the form carries none
        f"{_unsubscribe_url(person)}/undo",
        data={"csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    page = _html(answer)
    title, h1 = _title_and_h1(page)
    assert title.startswith("Abonnement rétabli") and h1 == "Abonnement rétabli"
    assert re.search(r'<p id="unsubscribe-result" tabindex="-1" autofocus>C\'est fait', page)
    assert '<a href="/">Aller à l\'accueil du portail</a>' in page


def test_undoing_too_late_says_the_unsubscribe_is_kept_and_takes_the_focus(client, make):
    person = make.user(email_opt_in=False, locale="fr")
    person.email_opt_in_changed_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    answer = client.post(
        f"{_unsubscribe_url(person)}/undo",
        data={"csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    page = _html(answer)
    assert _title_and_h1(page)[1] == "Désabonnement maintenu"
    assert '<p id="unsubscribe-result" tabindex="-1" autofocus>' in page
    assert '<p role="alert">' not in page


def test_an_invalid_link_is_named_so_in_the_title_and_heading(client):
    answer = client.get("/messaging/unsubscribe/forged.token", headers={"Accept-Language": "fr"})
    title, h1 = _title_and_h1(_html(answer))
    assert answer.status_code == 404
    assert title.startswith("Lien de désabonnement non valide")
    assert h1 == "Lien de désabonnement non valide"


def test_an_invalid_link_in_english(client):
    answer = client.get("/messaging/unsubscribe/forged.token", headers={"Accept-Language": "en"})
    assert _title_and_h1(_html(answer))[1] == "Unsubscribe link not valid"


# --- the template editor -------------------------------------------------------------------


def test_the_english_fieldset_is_not_read_in_english_only_its_fields(client, make):
    """« Anglais », « Objet en anglais » were read with an English voice."""
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = _html(client.get("/messaging/templates/new"))
    assert "<fieldset lang=" not in page
    assert re.search(r'<input [^>]*id="subject_en" lang="en"', page)
    assert re.search(r'<textarea [^>]*id="body_en" lang="en"', page)
    assert re.search(r'<input [^>]*id="subject_fr" lang="fr"', page)
    assert not re.search(r"<label[^>]*lang=", page)


def test_in_english_the_french_fields_are_french_not_their_labels(client, make, template):
    login(client, make.user(roles=("organiser",), locale="en"))
    tpl = template()
    page = _html(client.get(f"/messaging/templates/{tpl.id}"))
    assert "<fieldset lang=" not in page
    assert re.search(r'<textarea [^>]*id="body_fr" lang="fr"', page)


def test_the_preview_marks_the_message_not_its_heading(client, make, template):
    author = make.user(roles=("organiser",), locale="fr")
    login(client, author)
    tpl = template()
    page = _html(
        client.post(
            f"/messaging/templates/{tpl.id}",
            data={
                "csrf_token": csrf_token(client),
                "action": "preview",
                "key": tpl.key,
                "name": "Hello",
                "subject_fr": "Bonjour",
                "body_fr": "Bonjour.",
                "subject_en": "Hello",
                "body_en": "Hello.",
            },
        )
    )
    assert '<article class="preview" data-locale="en">\n    <h3>Anglais</h3>' in page
    assert '<p lang="en"><strong>Hello</strong></p>' in page


# --- bilingual template names --------------------------------------------------------------


def test_a_bilingual_name_shows_its_french_half_on_a_french_page(client, make, template):
    """Both halves were read on a French page; now the page's half only
    (a built-in's: an organiser's name is shown whole, test_organiser_template_names_whole)."""
    login(client, make.user(roles=("organiser",), locale="fr"))
    _builtin(template, BILINGUAL)
    page = _html(client.get("/messaging/templates"))
    assert ">Dernières 48 heures</a>" in page and "Last 48 hours" not in page


def test_in_english_it_is_the_english_half(client, make, template):
    login(client, make.user(roles=("organiser",), locale="en"))
    _builtin(template, BILINGUAL)
    page = _html(client.get("/messaging/templates"))
    assert ">Last 48 hours</a>" in page and "Dernières 48 heures" not in page


def test_a_name_in_one_language_is_shown_in_it_on_either_page(client, make, template):
    login(client, make.user(roles=("organiser",), locale="en"))
    _builtin(template, "Rappel / ")
    page = _html(client.get("/messaging/templates"))
    assert ">Rappel</a>" in page


def test_the_schedule_select_names_the_template_in_the_page_s_language(client, make, template):
    login(client, make.user(roles=("organiser",), locale="fr"))
    tpl = _builtin(template, BILINGUAL)
    page = _html(client.get("/messaging/schedule"))
    assert f'<option value="{tpl.id}">Dernières 48 heures (hello)</option>' in page


# --- the inbox, the schedule form, a dispatch ----------------------------------------------


def test_each_mark_as_read_button_names_its_message(auth, client, make, template):
    me, _ = _inbox_of_one(make, template)
    login(client, me)
    page = _html(client.get("/messaging/"))
    assert 'Marquer comme lu<span class="visually-hidden"> <span>Bonjour ' in page
    assert 'Supprimer<span class="visually-hidden"> <span>Bonjour ' in page


def test_the_audience_legend_is_not_the_selects_label(client, make):
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = _html(client.get("/messaging/schedule"))
    legend = re.search(r"<legend>(.*?)</legend>", page).group(1)
    label = re.search(r'<label for="audience">(.*?)</label>', page).group(1)
    assert legend == "Destinataires"
    assert label == 'Groupe de destinataires<span class="required-mark"> (obligatoire)</span>'


def _dispatch_page(client, make, template):
    login(client, make.user(roles=("organiser",), locale="fr"))
    now = utcnow()
    dispatch = services.create_dispatch(_builtin(template, BILINGUAL), "everyone", {}, now, now)
    db.session.commit()
    return dispatch, _html(client.get(f"/messaging/dispatches/{dispatch.id}"))


def test_a_dispatch_s_title_and_heading_agree(client, make, template):
    dispatch, page = _dispatch_page(client, make, template)
    title, h1 = _title_and_h1(page)
    assert h1 == f"Envoi n° {dispatch.id} : Dernières 48 heures"
    assert title.startswith(h1)


def test_a_dispatch_s_counts_table_has_a_caption(client, make, template):
    _, page = _dispatch_page(client, make, template)
    assert "<caption>Distribution par canal</caption>" in page


@pytest.mark.browser
def test_in_a_browser_the_unsubscribe_result_has_the_focus(page, make):
    from playwright.sync_api import expect

    person = make.user(email_opt_in=True, locale="fr")
    page.goto(_unsubscribe_url(person))
    page.get_by_role("button", name="Se désabonner des e-mails").click()
    expect(page.locator(":focus")).to_have_id("unsubscribe-result")
    page.get_by_role("button", name="Annuler : continuer à recevoir les e-mails").click()
    expect(page).to_have_title(re.compile("^Abonnement rétabli"))
    expect(page.locator(":focus")).to_contain_text("C'est fait")
