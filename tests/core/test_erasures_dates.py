"""Review of 6 December: the erasure requests' table writes its two dates one way, the
portal's medium date (« 5 déc. 2026 » beside « 4 janv. 2027 »), not a date and time
beside a long date."""

import html
import re
from datetime import UTC, datetime

from app.core.privacy_services import request_erasure
from app.extensions import db
from tests.conftest import login

ASKED = datetime(2026, 12, 5, 17, 40, tzinfo=UTC)  # 18 h 40 in Paris


def _row(page: str, name: str) -> list[str]:
    """The cells of the row of `name`, as read."""
    row = re.search(rf"<tr role=\"row\">\s*<th[^>]*>{name}.*?</tr>", page, re.S).group(0)
    cells = re.findall(r"<td role=\"cell\"[^>]*>(.*?)</td>", row, re.S)
    return [html.unescape(cell).replace("\u00a0", " ").strip() for cell in cells[:2]]


def test_both_dates_of_a_request_are_written_as_medium_dates_in_french(client, make, app):
    request_erasure(make.user(display_name="Zoé Garnier"), ASKED)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="fr"))
    page = client.get("/admin/erasures").text
    assert app.config["ERASURE_DELAY_DAYS"] == 30
    assert _row(page, "Zoé Garnier") == ["5 déc. 2026", "4 janv. 2027"]


def test_both_dates_of_a_request_are_written_as_medium_dates_in_english(client, make):
    request_erasure(make.user(display_name="Zoé Garnier"), ASKED)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    assert _row(client.get("/admin/erasures").text, "Zoé Garnier") == ["5 Dec 2026", "4 Jan 2027"]
