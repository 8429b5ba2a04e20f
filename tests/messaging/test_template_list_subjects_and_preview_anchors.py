"""The organiser's pages: raw template syntax in the list of
templates, "required" errors on a blank new template, pages that came back at the top
after "Preview" or "Count the recipients", « 0 message non lu » in the inbox, and
upcoming dispatches listed latest first."""

import html
import re
from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import MessageTemplate
from tests.conftest import csrf_token, login

HX = {"HX-Request": "true"}
BLANK = {"key": "", "name": "", "subject_fr": "", "body_fr": "", "subject_en": "", "body_en": ""}


def _subjects(page: str) -> list[str]:
    """The subject column of the list of templates, as text."""
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [
        html.unescape(s)
        for s in re.findall(
            r'<td [^>]*data-label="(?:Subject:|Objet\u00a0:)">(.*?)</td>', body, re.S
        )
    ]


def test_the_list_of_templates_shows_subjects_as_a_reader_reads_them(client, make):
    """It showed `C'est parti : {% if campaign_name is defined %}…`."""
    login(client, make.user(roles=("organiser",)))
    subjects = _subjects(client.get("/messaging/templates").get_data(as_text=True))
    assert "C'est parti\u00a0: la campagne" in subjects
    assert not [s for s in subjects if "{" in s or "}" in s]


def test_the_list_of_templates_shows_subjects_in_the_readers_language(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    subjects = _subjects(client.get("/messaging/templates").get_data(as_text=True))
    assert "It starts now: the campaign" in subjects
    assert "C'est parti\u00a0: la campagne" not in subjects


def test_a_subject_that_cannot_render_is_listed_without_its_tags(client, make):
    """A stored subject that no longer compiles: its words, never its syntax."""
    db.session.add(
        MessageTemplate(
            key="broken",
            name="Broken",
            subject_fr="{% if first_name %}Nouvelles {{ first_name",
            body_fr="",
            subject_en="",
            body_en="",
        )
    )
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    page = client.get("/messaging/templates").get_data(as_text=True)
    assert "Nouvelles" in _subjects(page)  # "Nouvelles {{ first_name" was kept


def test_a_blank_new_template_shows_no_error_before_anything_is_typed(auth, client, make):
    """The preview asked on load said every text was required, in red."""
    login(client, make.user(roles=("organiser",)))
    page = client.get("/messaging/templates/new").get_data(as_text=True)
    on_load = auth.post("/messaging/templates/preview", data=BLANK, headers=HX)
    shown = on_load.get_data(as_text=True)
    assert on_load.status_code == 200 and 'class="error' not in shown
    assert "Utilisez le bouton Aperçu" in html.unescape(shown)
    assert 'class="error' not in page.split('id="preview-heading"', 1)[1]


def test_once_a_text_is_typed_the_preview_says_what_is_missing(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    typed = auth.post(
        "/messaging/templates/preview", data={**BLANK, "subject_fr": "Bonjour"}, headers=HX
    ).get_data(as_text=True)
    assert 'class="error-summary"' in typed


def _button(page: str, text: str) -> str:
    return re.search(rf"<button[^>]*>{re.escape(text)}</button>", page, re.S).group(0)


def test_preview_without_javascript_brings_the_person_to_the_preview(client, make, template):
    """The page came back at its top, the preview below the form."""
    tpl = template()
    login(client, make.user(roles=("organiser",)))
    for url in ("/messaging/templates/new", f"/messaging/templates/{tpl.id}"):
        page = client.get(url).get_data(as_text=True)
        assert f'formaction="{url}#preview-heading"' in _button(page, "Aperçu")
        assert 'id="preview-heading"' in page
        assert "formaction" not in _button(page, "Enregistrer")  # a save stays at the top


def test_a_preview_asked_at_the_anchor_shows_the_rendering(auth, client, make, template):
    tpl = template()
    login(client, make.user(roles=("organiser",), display_name="Inès Roux"))
    data = {
        "key": tpl.key,
        "name": tpl.name,
        "subject_fr": tpl.subject_fr,
        "body_fr": tpl.body_fr,
        "subject_en": tpl.subject_en,
        "body_en": tpl.body_en,
        "action": "preview",
    }
    page = auth.post(f"/messaging/templates/{tpl.id}#preview-heading", data=data)
    shown = page.get_data(as_text=True)
    assert page.status_code == 200 and "Bonjour Inès" in shown.split('id="preview-heading"', 1)[1]


def test_counting_without_javascript_brings_the_person_to_the_count(client, make):
    login(client, make.user(roles=("organiser",)))
    page = client.get("/messaging/schedule").get_data(as_text=True)
    button = _button(page, "Compter les destinataires")
    assert 'formaction="/messaging/schedule#audience-size"' in button
    assert 'id="audience-size"' in page


def _deliver(template, now):
    dispatch = services.create_dispatch(template, "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    return dispatch


def test_an_inbox_with_nothing_unread_says_so_as_the_home_page_does(client, make, template):
    """The inbox said « 0 message non lu », the home page « Aucun message non lu »."""
    me = make.user()
    message = _deliver(template(), utcnow())
    login(client, me)
    inbox = client.get("/messaging/").get_data(as_text=True)
    delivery_id = re.search(r'/messaging/inbox/(\d+)/read"', inbox).group(1)
    client.post(f"/messaging/inbox/{delivery_id}/read", data={"csrf_token": csrf_token(client)})
    inbox = html.unescape(client.get("/messaging/").get_data(as_text=True))
    home = html.unescape(client.get("/").get_data(as_text=True))
    assert message.id and "Aucun message non lu." in inbox and "0 message" not in inbox
    assert "Aucun message non lu." in home


def test_upcoming_dispatches_come_soonest_first_and_past_ones_newest_first(client, make, template):
    """Upcoming sends were listed latest first: the next one sat at the bottom."""
    make.user()
    tpl = template()
    now = utcnow()
    later = services.create_dispatch(tpl, "everyone", {}, now + timedelta(days=9), now)
    soon = services.create_dispatch(tpl, "everyone", {}, now + timedelta(days=2), now)
    db.session.commit()
    older = _deliver(tpl, now - timedelta(days=5))
    newer = _deliver(tpl, now - timedelta(days=1))
    login(client, make.user(roles=("organiser",)))
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    listed = [int(i) for i in re.findall(r'href="/messaging/dispatches/(\d+)"', listing)]
    assert listed == [soon.id, later.id, newer.id, older.id]
    assert listing.index("À venir et en cours") < listing.index(f'/{soon.id}"')


def _announced(fragment: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<p[^>]*data-announce>([^<]*)</p>", fragment)]


def test_the_preview_is_no_live_region_read_whole_at_each_pause(client, make):
    """Both messages read out at each pause in the typing talked over it (RGAA 7.5)."""
    login(client, make.user(roles=("organiser",)))
    page = client.get("/messaging/templates/new").get_data(as_text=True)
    preview = re.search(r'<div id="preview"[^>]*>', page).group(0)
    assert "aria-live" not in preview and 'role="status"' not in preview


def test_the_preview_says_in_a_few_words_what_changed(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    missing = auth.post(
        "/messaging/templates/preview", data={**BLANK, "subject_fr": "Bonjour"}, headers=HX
    ).get_data(as_text=True)
    assert _announced(missing) == ["Aperçu\u00a0: 3 problèmes à corriger."]
    texts = {"subject_fr": "Bonjour", "body_fr": "Texte", "subject_en": "Hello", "body_en": "Text"}
    whole = auth.post("/messaging/templates/preview", data={**BLANK, **texts}, headers=HX).get_data(
        as_text=True
    )
    assert _announced(whole) == ["Aperçu mis à jour."]
    blank = auth.post("/messaging/templates/preview", data=BLANK, headers=HX)
    assert _announced(blank.get_data(as_text=True)) == []
