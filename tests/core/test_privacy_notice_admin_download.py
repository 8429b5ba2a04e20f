"""The privacy notice says that an administrator can download a person's whole data file
(/admin/people/<id>/export), when and why, and that the download is logged and shows in
the person's own export, in English and in French."""


def _notice(client, language: str) -> str:
    return client.get(f"/privacy?lang={language}").get_data(as_text=True).replace("&#39;", "'")


def test_the_notice_tells_of_an_administrators_download_in_english(client):
    page = _notice(client, "en")
    assert "an administrator can download your whole data file" in page
    assert "messages' texts included" in page
    assert "your own data file shows it, with its date." in page


def test_the_notice_tells_of_an_administrators_download_in_french(client):
    page = _notice(client, "fr")
    assert "un administrateur peut télécharger votre fichier de données complet" in page
    assert "votre propre fichier de données le montre, avec sa date." in page


def test_the_notice_says_an_erasure_is_confirmed_by_a_last_e_mail(client):
    page = _notice(client, "en")
    assert "you receive a last e-mail that says so" in page
