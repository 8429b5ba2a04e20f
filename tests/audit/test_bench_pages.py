"""Every page `make bench` measures answers what the bench expects of it, on the demo.

The bench checks each answer once before measuring and counts a wrong status as an
error; a rule that changes what a page accepts (an entry too small to score a point was
refused, and the bench logged 0.01 GB) would otherwise show only in the next bench run."""

from app.extensions import db
from bench.inprocess import page_request
from bench.pages import bench_pages
from tests.conftest import CSRF_RE


def _signed_in(app, email):
    client = app.test_client()
    if email:
        token = CSRF_RE.search(client.get("/auth/sign-in").get_data(as_text=True)).group(1)
        answer = client.post(
            "/auth/sign-in", data={"email": email, "password": "demo", "csrf_token": token}
        )
        assert answer.status_code == 302, email
    token = CSRF_RE.search(client.get("/privacy").get_data(as_text=True)).group(1)
    return client, token


def test_every_bench_page_answers_what_the_bench_expects(app, demo_data):
    clients, wrong = {}, []
    for page in bench_pages():
        params = page.params(db.session) if page.params else {}
        if page.account not in clients:
            clients[page.account] = _signed_in(app, page.account)
        client, token = clients[page.account]
        status = client.open(**page_request(page, params, token)).status_code
        if status != page.status:
            wrong.append((page.name, status, page.status))
    assert wrong == []
