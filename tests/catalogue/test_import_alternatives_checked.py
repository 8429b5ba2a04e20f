"""An import checks the alternatives it newly gives as the item form does: a withdrawn
item, one of another category or one no lighter was imported, then never shown under
« Alternatives plus légères ». Alternatives already stored are left as they are, so a
catalogue exported and imported again stays unchanged."""

from tests.catalogue.test_french_plurals_of_one_and_catalogue_words import _rows, _upload
from tests.conftest import login

HEADER = "code,kind,category,name_fr,name_en,embodied_kgco2e,source,alternatives,status\n"


def _admin(client, make, locale="en"):
    login(client, make.user(roles=("admin",), locale=locale))


def test_a_withdrawn_alternative_in_the_file_is_refused(client, make):
    _admin(client, make)
    text = (
        f"{HEADER}EQ-1,equipment,laptop,Portable,Laptop,200,Study,EQ-2,available\n"
        "EQ-2,equipment,laptop,Portable 2,Laptop 2,150,Study,,discontinued\n"
    )
    rows = _rows(_upload(client, text).text)
    assert rows == [
        (
            "2",
            "alternatives",
            "EQ-2 is withdrawn from the catalogue: it would never be shown as an "
            "alternative. Remove it.",
        )
    ]


def test_a_stored_alternative_of_another_category_is_refused_in_french(client, make, make_item):
    make_item(code="EC-1", category="monitor", embodied_kgco2e=50)
    _admin(client, make, "fr")
    text = f"{HEADER}EQ-1,equipment,laptop,Portable,Laptop,200,Study,EC-1,available\n"
    ((line, column, said),) = _rows(_upload(client, text).text)
    assert (line, column) == ("2", "alternatives")
    assert said.startswith("EC-1 est d'une autre catégorie (Écran)")


def test_a_heavier_alternative_is_refused_and_a_lighter_one_previewed(client, make):
    _admin(client, make)
    heavier = (
        f"{HEADER}EQ-1,equipment,laptop,Portable,Laptop,200,Study,EQ-2,available\n"
        "EQ-2,equipment,laptop,Portable 2,Laptop 2,260,Study,,available\n"
    )
    ((line, column, said),) = _rows(_upload(client, heavier).text)
    assert (line, column) == ("2", "alternatives")
    assert said.startswith("EQ-2 is not lighter than this item")
    lighter = heavier.replace(",260,", ",150,")
    assert _rows(_upload(client, lighter).text) == []


def test_an_alternative_already_stored_is_not_judged_again(client, make, make_item):
    """A link made before the rule (or a neighbour withdrawn since) stays through a
    round trip: only what the file newly gives is checked."""
    old = make_item(code="EQ-2", embodied_kgco2e=150)
    item = make_item(code="EQ-1", embodied_kgco2e=200)
    item.alternatives = [old]
    old.status = "discontinued"
    from app.extensions import db

    db.session.commit()
    _admin(client, make)
    text = f"{HEADER}EQ-1,equipment,laptop,Portable,Renamed laptop,200,Study,EQ-2,available\n"
    assert _rows(_upload(client, text).text) == []
