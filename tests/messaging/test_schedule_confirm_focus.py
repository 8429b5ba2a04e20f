"""The scheduling confirmation page puts the focus on its message at the top, as the
portal's other confirmation pages do: it was left on the page itself."""

import re

from tests.conftest import login


def test_the_confirmation_page_focuses_its_heading(auth, client, make, template):
    tpl = template()
    make.user()
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule", data={"template": tpl.id, "audience": "everyone", "kind": "now"}
    )
    page = response.get_data(as_text=True)
    assert re.search(
        r'<h1 id="confirm-title" tabindex="-1" autofocus>Confirmer le message</h1>', page
    )
    assert page.count("autofocus") == 1
