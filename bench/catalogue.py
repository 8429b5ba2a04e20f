"""Catalogue latency at the Bordeaux scale: listing, search, API, detail.

Seeds the demo (DEMO_EMPLOYEES staff, 1,642 catalogue items) into a temporary
SQLite database, then prints one JSON line per measured page with the Flask
test client. Not a test: run `python bench/catalogue.py`.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from app import create_app
from app.auth.models import User
from app.catalogue.models import CatalogueItem
from app.config import Config
from app.core.demo import seed_demo
from app.extensions import db

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def measure(client, name: str, url: str, headers=None) -> None:
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, headers=headers or {})
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    print(
        json.dumps(
            {
                "name": name,
                "url": url,
                "runs": RUNS,
                "p50_ms": round(statistics.median(timings), 2),
                "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
            }
        ),
        flush=True,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            Config,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db",
            SECRET_KEY="bench",
            RATELIMIT_ENABLED=False,
        )
        employees = app.config["DEMO_EMPLOYEES"]
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            seed_demo(app, employees)
            db.session.commit()
            items = db.session.scalar(select(func.count(CatalogueItem.id)))
            print(
                json.dumps(
                    {
                        "name": "demo_seed",
                        "employees": employees,
                        "catalogue_items": items,
                        "seconds": round(time.perf_counter() - start, 2),
                    }
                ),
                flush=True,
            )
            user = db.session.scalar(select(User).where(User.email == "employee@demo.empreinte.fr"))
            user_id = user.get_id()
            item_id = db.session.scalar(
                select(CatalogueItem.id).where(CatalogueItem.code == "EQ-LAP-02")
            )
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        htmx = {"HX-Request": "true"}
        measure(client, "catalogue_listing", "/catalogue/")
        measure(client, "catalogue_listing_page_40", "/catalogue/?page=40")
        measure(client, "catalogue_sort_footprint", "/catalogue/?sort=-footprint&kind=service")
        measure(client, "catalogue_search", "/catalogue/?q=gestion+conges", headers=htmx)
        measure(
            client,
            "catalogue_search_filters",
            "/catalogue/?q=visio&category=video&grade=D",
            headers=htmx,
        )
        measure(client, "catalogue_item", f"/catalogue/items/{item_id}")
        measure(
            client,
            "catalogue_lifetime",
            f"/catalogue/items/{item_id}/lifetime?years=7",
            headers=htmx,
        )
        measure(client, "catalogue_api_search", "/api/v1/catalogue/items?q=portail&kind=service")


if __name__ == "__main__":
    main()
