"""The preview's spoken summary counts every problem the list under it names: the texts'
and the other fields' (a missing name), not the texts' alone."""

import re

from tests.conftest import login
from tests.messaging.conftest import PREVIEW


def test_the_preview_counts_the_missing_name_with_the_texts_problems(auth, client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    data = {**PREVIEW, "name": "", "subject_fr": "", "body_fr": "", "action": "preview"}
    page = auth.post("/messaging/templates/new", data=data).get_data(as_text=True)
    summary = page.split('id="preview-summary"', 1)[1].split("</ul>", 1)[0]
    listed = len(re.findall(r"<li>", summary))
    said = re.search(r'id="preview-said"[^>]*>Preview: (\d+) problems? to correct\.', page)
    assert listed == 3 and int(said.group(1)) == listed
