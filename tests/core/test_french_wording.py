"""French wording around inserted names: an organisation, a commune or a catalogue item may
start with a vowel (« de Orléans Métropole », « de Ambarès-et-Lagrave » are wrong), and a
label with a capital (« Mails supprimés », « Ordinateur portable ») does not read right
dropped bare in the middle of a sentence."""

import html
import re

from babel.messages.pofile import read_po

PO = "translations/fr/LC_MESSAGES/messages.po"


def _french_texts():
    with open(PO, "rb") as po:
        catalogue = read_po(po)
    for message in catalogue:
        texts = message.string if isinstance(message.string, tuple) else [message.string]
        for text in texts:
            if message.id and text:
                yield message.id, text


def _text(response) -> str:
    page = html.unescape(response.get_data(as_text=True))
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", page))  # keeps no-break spaces


def test_no_french_message_elides_or_contracts_before_a_place_or_item_name():
    before_a_name = re.compile(
        r"(\b(de|du|des|que|le|la|au|aux)\s+|\b[dlq]')%\((organisation|commune|item|alt)\)s",
        re.IGNORECASE,
    )
    found = [msgid for msgid, text in _french_texts() if before_a_name.search(text)]
    assert found == []


def test_an_organisation_starting_with_a_vowel_is_named_correctly(make_app):
    other = make_app(ORGANISATION_NAME="Orléans Métropole", PRIVACY_CONTACT="dpo@example.org")
    page = _text(other.test_client().get("/privacy?lang=fr"))
    assert "Orléans Métropole" in page
    assert not re.search(r"\b(de|du|que) Orléans", page)
    assert "délégué à la protection des données désigné par Orléans Métropole\u00a0:" in page
    assert "portail du numérique responsable proposé par Orléans Métropole à son personnel." in page


def test_no_french_message_drops_a_label_bare_after_a_comma_or_parenthesis():
    """An action type, a device type or a wipe method goes in « guillemets » or after a
    colon: « Plafond journalier, Mails supprimés » read as two sentences."""
    bare_label = re.compile(r"[(,]\s*%\((action|type|method|device)\)s")
    found = [msgid for msgid, text in _french_texts() if bare_label.search(text)]
    assert found == []
