"""A refused device-return form, and a refused collection point form, say how many
fields to correct and link to each, as a campaign's form does (« 2 champs à corriger : »
and one link per field, leading to it). They only said « Rien n'a été enregistré.
Corrigez les champs signalés ci-dessous. », with no count and no link."""

import html
import re

from tests.conftest import login


def _summary(page: str) -> str:
    found = re.search(r'<div class="notice error-summary" role="alert"[^>]*>.*?</div>', page, re.S)
    assert found, "no error summary"
    return html.unescape(found.group(0))


def _links(summary: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


def _ids(page: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page))


def _focused(page: str) -> list[str]:
    return re.findall(r"<(?:input|select|textarea|div)[^>]*\bautofocus\b[^>]*>", page)


def test_a_refused_return_counts_its_fields_and_links_to_each(client, auth, make, rec):
    point = rec.point(accepted_types="laptop,desktop")
    login(client, make.user(locale="fr"))
    response = auth.post(
        "/recycling/returns/new",
        {"collection_point_id": point.id, "device_type": "monitor", "asset_tag": "x" * 80},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = _summary(page)
    assert "Rien n'a été enregistré." in summary
    links = _links(summary)
    assert "\u00a0champs à corriger\u00a0:" in summary
    assert f"{len(links)}\u00a0champs à corriger" in summary
    assert len(links) == 3
    targets = [target for target, _words in links]
    # In the page's order, each leading to a field of the page: the type at the one
    # checked (its focus), the condition at its first radio, the tag at its box.
    assert targets[1:] == ["condition-0", "asset_tag"]
    assert set(targets) <= _ids(page)
    assert links[0][1].startswith("Type d'appareil\u00a0: ")
    checked = re.search(rf'<input[^>]*\bid="{targets[0]}"[^>]*>', page).group(0)
    assert 'value="monitor"' in checked and " checked " in checked
    # The first refused field keeps the focus; the summary is read out (role="alert").
    focused = _focused(page)
    assert len(focused) == 1 and 'value="monitor"' in focused[0]


def test_a_refused_return_with_one_field_says_one(client, auth, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    response = auth.post(
        "/recycling/returns/new",
        {"collection_point_id": point.id, "device_type": "monitor", "condition": "banana"},
    )
    summary = _summary(response.get_data(as_text=True))
    assert "Nothing was saved. Please correct the fields marked below. 1 field to correct:" in (
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", summary))
    )
    assert [target for target, _ in _links(summary)] == ["condition-0"]


def test_a_refused_point_counts_its_fields_and_links_to_each(auth, point_data):
    data = {k: v for k, v in point_data.items() if k != "accepted_types"}
    page = auth.post(
        "/recycling/admin/points/new", {**data, "name": "", "opening_hours": "lundi 9h"}
    ).get_data(as_text=True)
    summary = _summary(page)
    assert "3 fields to correct:" in summary
    links = _links(summary)
    assert [target for target, _ in links] == ["name", "opening_hours", "accepted_types-0"]
    assert {target for target, _ in links} <= _ids(page)
    assert links[2][1].endswith("Choose at least one device type.")
    # The first refused field keeps the focus, as before.
    focused = _focused(page)
    assert len(focused) == 1 and 'id="name"' in focused[0]


def test_an_unrefused_form_has_no_summary(client, make, rec):
    rec.point()
    login(client, make.user(locale="fr"))
    assert "error-summary" not in client.get("/recycling/returns/new").get_data(as_text=True)
