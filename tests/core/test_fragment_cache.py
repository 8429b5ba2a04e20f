"""Cached fragments (app/core/cache.py) never show data older than the database.

Each test renders a page once (filling the cache), changes the data behind it the
way people do (a form, a bulk statement), then reads the page again.
"""

import secrets

import pytest
from sqlalchemy import event, update

from app.catalogue.models import CatalogueItem
from app.core import cache
from app.extensions import db
from app.recycling.models import CollectionPoint
from tests.conftest import login


def _item(**values) -> CatalogueItem:
    item = CatalogueItem(
        code=values.pop("code", "CACHE-1"),
        kind="service",
        category="email",
        name_fr=values.pop("name_fr", "Messagerie"),
        name_en=values.pop("name_en", "Mailbox"),
        source="Test source",
        use_kgco2e_per_year=3.0,
        annual_kgco2e=3.0,
        grade="A",
        status="available",
        **values,
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_a_discontinued_item_leaves_the_cached_listing_at_once(client, auth, make):
    item = _item()
    login(client, make.user(roles=("admin",), locale="en"))
    assert "Mailbox" in client.get("/catalogue/").get_data(as_text=True)

    # Followed: the page it leads to says which item was withdrawn, naming it.
    auth.post(f"/catalogue/admin/items/{item.id}/discontinue", follow_redirects=True)

    listing = client.get("/catalogue/").get_data(as_text=True)
    assert "Mailbox" not in listing  # the default filter lists available items only
    assert "Mailbox" in client.get("/catalogue/?status=all").get_data(as_text=True)


def test_a_bulk_update_also_renews_the_cached_pages(client, make):
    item = _item()
    login(client, make.user(locale="en"))
    assert "Mailbox" in client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
    version = cache.version_of("catalogue")

    db.session.execute(
        update(CatalogueItem).where(CatalogueItem.id == item.id).values(name_en="Shared inbox")
    )
    db.session.commit()

    assert cache.version_of("catalogue") != version
    page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
    assert "Shared inbox" in page and "Mailbox" not in page


def test_each_language_has_its_own_cached_listing(client, make):
    _item()
    login(client, make.user(locale="en"))
    english = client.get("/catalogue/?kind=service").get_data(as_text=True)
    login(client, make.user(locale="fr"))
    french = client.get("/catalogue/?kind=service").get_data(as_text=True)
    assert "Mailbox" in english and "Messagerie" not in english
    assert "Messagerie" in french and "Mailbox" not in french


def test_a_failed_write_keeps_the_cached_version(app, make):
    item = _item()
    version = cache.version_of("catalogue")
    item.name_en = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert cache.version_of("catalogue") == version


def test_a_renamed_collection_point_shows_in_the_cached_list(client, make):
    commune = make.commune(name="Bègles")
    point = CollectionPoint(
        name="Hôtel de ville",
        commune=commune,
        address="Place de la mairie",
        latitude=44.8,
        longitude=-0.55,
        opening_hours="Mo-Su 00:00-24:00",
        accepted_types="laptop,phone",
        active=True,
    )
    db.session.add(point)
    db.session.commit()
    login(client, make.user(locale="en"))
    assert "Hôtel de ville" in client.get("/recycling/?sort=name").get_data(as_text=True)

    point.name = "Médiathèque"
    db.session.commit()

    page = client.get("/recycling/?sort=name").get_data(as_text=True)
    assert "Médiathèque" in page and "Hôtel de ville" not in page


def test_two_workers_sharing_redis_never_serve_each_other_stale_pages(make_app, make):
    """With CACHE_REDIS_URL every worker reads one store; versions keep it right."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    store = redis.Redis.from_url(url)
    try:
        store.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    prefix = f"empreinte-test-{secrets.token_hex(4)}:"  # this run's keys only
    workers = [
        make_app(CACHE_REDIS_URL=url, CACHE_TYPE="RedisCache", CACHE_KEY_PREFIX=prefix)
        for _ in range(2)
    ]
    item = _item()
    reader = make.user(locale="en")
    clients = []
    for worker in workers:
        client = worker.test_client()
        login(client, reader)
        clients.append(client)
    try:
        assert "Mailbox" in clients[0].get(f"/catalogue/items/{item.id}").get_data(as_text=True)
        assert store.keys(f"{prefix}value:catalogue.item:*")

        db.session.execute(  # a third process: the version changes for both workers
            update(CatalogueItem).where(CatalogueItem.id == item.id).values(name_en="Team inbox")
        )
        db.session.commit()

        for client in clients:
            page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
            assert "Team inbox" in page
    finally:
        for key in store.keys(f"{prefix}*"):
            store.delete(key)


def test_a_cached_page_reads_only_the_person_with_their_badge_and_versions(app, client, make):
    """One statement for a cached catalogue page: the person, their roles, the unread
    badge and the fragment versions come in the loader's single query."""
    _item()
    login(client, make.user(locale="en"))
    client.get("/catalogue/")  # fills the cache
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = client.get("/catalogue/").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert "Mailbox" in page
    reads = [s for s in statements if not s.lstrip().upper().startswith(("SELECT 1", "PRAGMA"))]
    assert len(reads) == 1, reads
    assert "user_account" in reads[0] and "core_cache_version" in reads[0]
    assert "messaging_delivery" in reads[0]


def test_a_write_sees_its_own_change_over_the_versions_read_with_the_person(app, make):
    """A write uses the versions read with the person (no second statement), but a
    change it holds, even not yet flushed, must move its namespace before a fragment
    is looked up: else its answer shows the cached page of before the change."""
    from flask_login import login_user

    from app.core import person_figures

    user = make.user(locale="en")
    db.session.commit()
    with app.test_request_context("/profile", method="POST"):
        login_user(user)
        read_with_person = ",".join(f"{k}:{v}" for k, v in cache._read_versions().items())
        person_figures.remember(user.id, {cache.VERSIONS_FIGURE: read_with_person})
        before = cache.version_of("people", "catalogue")
        user.display_name = "Renamed"  # pending: not flushed yet
        after = cache.version_of("people", "catalogue")
        assert after.split("-")[0] != before.split("-")[0]  # people moved
        assert after.split("-")[1] == before.split("-")[1]  # catalogue did not
    db.session.rollback()


def _statements_of(client, url: str) -> list[str]:
    statements = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SELECT 1", "PRAGMA")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_a_stream_of_one_off_searches_leaves_the_shared_listing_cached(make_app, make):
    """Each search someone types makes a key of its own: a script sending thousands
    must not push the listing everyone reads out of the store (nor fill Redis)."""
    worker = make_app(CACHE_THRESHOLD=20)
    _item()
    client = worker.test_client()
    login(client, make.user(locale="en"))
    with worker.app_context():
        client.get("/catalogue/")  # the listing everyone reads, now cached
        for n in range(60):
            assert client.get(f"/catalogue/?q=scan{n}").status_code == 200

        assert len(_statements_of(client, "/catalogue/")) == 1  # the person alone


def test_a_search_asked_again_is_kept(make_app, make):
    worker = make_app()
    _item()
    client = worker.test_client()
    login(client, make.user(locale="en"))
    with worker.app_context():
        client.get("/catalogue/?q=mail")
        first_again = _statements_of(client, "/catalogue/?q=mail")
        then = _statements_of(client, "/catalogue/?q=mail")

    assert any("catalogue_item" in s for s in first_again)  # asked once: not kept
    assert len(then) == 1  # asked twice: from the cache
