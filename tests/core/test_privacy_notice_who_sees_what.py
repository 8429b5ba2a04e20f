"""The privacy notice says what each role sees, as the pages show it: an administrator's
account page also gives the work commune, how the person signs in and the staff number;
the catalogue's queue names each requester with their department; a person hidden from
leaderboards is « Personne masquée » to the organisers who review their entries. The
retention section says how long a revoked API token is kept."""

import html
import re
from datetime import timedelta

import pytest

from app.catalogue import services as catalogue
from app.cleanup import services as cleanup
from app.core.time import utcnow
from app.extensions import db
from tests.catalogue.conftest import make_item  # noqa: F401 - the request's item
from tests.cleanup.conftest import make_campaign  # noqa: F401 - the reviewed entry's campaign
from tests.conftest import login


def _text(page: str) -> str:
    return re.sub(r"[ \t\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _notice(client, language: str) -> str:
    return _text(client.get("/privacy", headers={"Accept-Language": language}).text)


ADMIN_ACCOUNTS = {
    "en": "The portal's administrators see each account: the name, e-mail address, staff "
    "number, department, work commune and roles, how the person signs in (whether they have "
    "a password), whether the account is active or when it was deactivated, and the latest "
    "changes made to it.",
    "fr": "Les administrateurs du portail voient chaque compte\u00a0: le nom, l'adresse e-mail, "
    "le matricule, la direction, la commune de travail et les rôles, la façon dont la "
    "personne se connecte (si elle a un mot de passe), si le compte est actif ou quand il a "
    "été désactivé, et les dernières modifications qui lui ont été apportées.",
}
CATALOGUE = {
    "en": "they see each request waiting for a decision with the name and department of the "
    "person who sent it, the items asked for and the comment written. The requests decided "
    "are listed in a spreadsheet without the requester's name",
    "fr": "ils voient chaque demande en attente de décision avec le nom et la direction de la "
    "personne qui l'a envoyée, les articles demandés et le commentaire écrit. Les demandes "
    "traitées sont listées dans un tableur sans le nom de la personne qui les a faites",
}
HIDDEN = {
    "en": "Someone who chose to be hidden appears there as “Hidden participant”, someone "
    "whose data were erased as “Anonymised participant”.",
    "fr": "Une personne qui a choisi d'être masquée y apparaît comme «\u00a0Personne "
    "masquée\u00a0», une personne dont les données ont été effacées comme «\u00a0Personne "
    "anonymisée\u00a0».",
}
TOKENS = {
    "en": "An API token, once revoked (by you, or when your account is deactivated), is "
    "deleted with its name and dates {days} days after its revocation. Your erasure deletes "
    "all your tokens at once.",
    "fr": "Un jeton d'API, une fois révoqué (par vous, ou lorsque votre compte est "
    "désactivé), est supprimé avec son nom et ses dates {days} jours après sa "
    "révocation. Votre effacement supprime aussitôt tous vos jetons.",
}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("said", [ADMIN_ACCOUNTS, CATALOGUE, HIDDEN])
def test_the_notice_says_what_each_role_sees(client, language, said):
    assert said[language] in _notice(client, language)


def test_the_notice_no_longer_sums_up_an_account_without_its_other_facts(client):
    assert "see the accounts (name, e-mail address, department, roles" not in _notice(client, "en")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_notice_says_how_long_a_revoked_token_is_kept(app, client, language):
    assert TOKENS[language].format(days=90) in _notice(client, language)
    app.config["REVOKED_TOKEN_RETENTION_DAYS"] = 30
    try:
        said = _notice(client, language)
    finally:
        app.config["REVOKED_TOKEN_RETENTION_DAYS"] = 90
    assert TOKENS[language].format(days=30) in said


def test_an_admins_account_page_shows_what_the_notice_lists(client, make):
    person = make.user(display_name="Nora Petit", staff_number="S13", locale="en")
    person.commune = make.commune(name="Bègles")
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    page = _text(client.get(f"/admin/people/{person.id}").text)
    assert "Staff number S13" in page
    assert "Commune Bègles" in page
    assert "Signs in with a password or a link sent by e-mail" in page
    assert "Account Active" in page


def test_the_catalogue_queue_names_the_requester_and_their_department(
    client,
    make,
    make_item,  # noqa: F811
):
    department = make.department(name_en="Roads", name_fr="Voirie")
    person = make.user(display_name="Nora Petit", department=department)
    now = utcnow()
    catalogue.add_to_basket(person, make_item(), 1, now)
    catalogue.submit_basket(person, "for the new office", now)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    page = _text(client.get("/catalogue/admin/requests").text)
    assert "Nora Petit, Roads" in page and "for the new office" in page


def test_a_hidden_person_is_personne_masquee_on_the_review_page(
    client,
    make,
    make_campaign,  # noqa: F811
):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    hidden = make.user(display_name="Nora Petit", leaderboard_visibility="hidden")
    entry = cleanup.log_action(hidden, campaign, "delete-mail", 15, now)
    assert entry.status == "flagged"
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}/review").text)
    assert "Personne masquée" in page and "Nora Petit" not in page
