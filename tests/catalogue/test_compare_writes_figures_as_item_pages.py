"""Compare writes each figure as the item's own page writes it: a monitor's use a year
« 2,7 » on both, never « 2,73 » beside the page's « 2,7 »; a service's yearly footprint
and use a year, one figure, read the same."""

import html
import re

from tests.conftest import login


def _cells(page: str, heading: str) -> list[str]:
    row = html.unescape(page).split(f'<th scope="row">{heading}</th>', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [re.sub(r"<[^>]+>", "", cell).replace("\u00a0", " ").strip() for cell in cells]


def _compared(client, make, make_item):
    login(client, make.user(locale="fr"))
    monitor = make_item(category="monitor", embodied_kgco2e=40.0, lifetime_years=6.0,
                        use_kwh_per_year=52.5)  # fmt: skip
    service = make_item(kind="service", category="video", use_kgco2e_per_year=0.97)
    small = make_item(kind="service", category="video", use_kgco2e_per_year=0.68)
    ids = "&".join(f"ids={item.id}" for item in (monitor, service, small))
    return monitor, service, client.get(f"/catalogue/compare?{ids}").text


def test_a_monitors_use_a_year_reads_as_on_its_page(client, make, make_item):
    monitor, _service, page = _compared(client, make, make_item)
    item_page = html.unescape(client.get(f"/catalogue/items/{monitor.id}").text)
    assert "= 2,7\u00a0kg\u00a0CO₂e par an" in item_page
    assert _cells(page, "Utilisation par an")[0] == "2,7 kg CO₂e"


def test_a_services_yearly_footprint_and_use_read_the_same(client, make, make_item):
    _monitor, _service, page = _compared(client, make, make_item)
    yearly, used = _cells(page, "Empreinte annuelle")[1], _cells(page, "Utilisation par an")[1]
    assert yearly == used == "1 kg CO₂e par utilisateur"
