"""The data protection officer's review of the notice: an erased account is pseudonymised
(not « anonymisé »), and the notice says what stays; it names the directives after death
(article 85 of the loi Informatique et Libertés), that nothing leaves the European Union,
the access logs' and backups' periods (settings), an erasure carried out again after a
restore, the form drafts kept in the tab's sessionStorage, and an unconfirmed staff
directory file deleted by the nightly clean-up at the latest."""

import html
import re


def _text(page: str) -> str:
    words = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", re.sub(r"[\u00a0\u202f]", " ", words))


def _notice(client, language: str) -> str:
    return _text(client.get(f"/privacy?lang={language}").get_data(as_text=True))


def test_an_erased_account_is_said_pseudonymised_with_what_stays(client):
    page = _notice(client, "fr")
    assert "Votre effacement pseudonymise votre compte au lieu de le supprimer" in page
    assert "le compte garde son numéro, sa direction et sa commune de travail" in page
    assert "vos saisies de nettoyage gardent leur participant et leurs dates" in page
    assert "compte anonymisé" not in page and "montre la personne anonymisée" not in page
    assert "Les actions de nettoyage individuelles sont pseudonymisées 12 mois" in page


def test_the_directives_after_death_are_a_right_named_with_its_article(client):
    page = _notice(client, "fr")
    assert "directives sur le sort de vos données après votre décès" in page
    assert "l'article 85 de la loi Informatique et Libertés" in page


def test_no_transfer_outside_the_european_union(client):
    assert "ne sont pas transférées hors de l'Union européenne" in _notice(client, "fr")


def test_a_map_tile_server_is_named_when_the_map_uses_one(make_app):
    other = make_app(MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    page = _notice(other.test_client(), "en")
    assert "Only the map's images come from another server, tile.example.org" in page


def test_the_access_logs_and_backups_periods_are_the_configured_ones(client, make_app):
    page = _notice(client, "fr")
    assert "Ils sont gardés 6 mois, puis supprimés." in page
    assert "gardée 30 jours, puis supprimée" in page
    other = make_app(ACCESS_LOG_RETENTION_MONTHS=12, BACKUP_RETENTION_DAYS=1)
    page = _notice(other.test_client(), "en")
    assert "The server's access logs are deleted 12 months after they were written." in page
    assert "kept 1 day, then deleted" in page


def test_an_erasure_is_carried_out_again_after_a_restore(client):
    page = _notice(client, "en")
    assert "the erasures carried out since it was made are carried out again" in page


def test_the_cookies_section_names_the_drafts_kept_in_the_tab(client):
    page = _notice(client, "fr")
    cookies = page.split("Cookies")[-1].split("Qui est responsable")[0]
    assert "dans le stockage de cet onglet seulement (sessionStorage, pas un cookie)" in cookies
    assert "Cette copie n'est envoyée nulle part" in cookies


def test_an_unconfirmed_directory_file_goes_by_the_nightly_clean_up_at_the_latest(client):
    page = _notice(client, "fr")
    assert "supprimé au dépôt suivant ou, au plus tard, par le nettoyage nocturne" in page
