"""The audit log's filter read out every row of its answer: only the count is."""

import re
from datetime import UTC, datetime

from app.core.audit import record_audit
from app.extensions import db
from tests.conftest import login


def test_the_audit_logs_results_are_no_live_region_only_their_count_is(client, make):
    admin = make.user(roles=("admin",), locale="en")
    record_audit(admin, "publish", "campaign", 7, datetime(2026, 3, 1, 12, tzinfo=UTC))
    db.session.commit()
    login(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    region = re.search(r'<div id="audit-results"[^>]*>', page)[0]
    assert "aria-live" not in region and "role=" not in region
    results = page.split('<div id="audit-results"', 1)[1]
    assert "<table>" in results and re.search(
        r"<p><span data-announce>1 [^<]*event</span>", results
    )
