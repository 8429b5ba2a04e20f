"""Latency of the recycling pages at Bordeaux scale: the points page and logging a return.

Seeds the demo (DEMO_EMPLOYEES, 20,000 by default) into a temporary SQLite
database and prints one JSON line per measure. Not a test.
"""

import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from app import create_app
from app.auth.models import User
from app.config import Config
from app.core.demo import seed_demo
from app.extensions import db
from app.recycling.models import CollectionPoint


def measure(name: str, call, runs: int = 30) -> None:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = call()
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code < 400, (name, response.status_code)
    timings.sort()
    print(json.dumps({
        "name": name,
        "runs": runs,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
    }))  # fmt: skip


def main() -> None:
    employees = int(os.environ.get("DEMO_EMPLOYEES", "20000"))
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            Config,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db",
            WTF_CSRF_ENABLED=False,
            RATELIMIT_ENABLED=False,
            SECRET_KEY="bench",
        )
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            seed_demo(app, employees)
            db.session.commit()
            seed_ms = (time.perf_counter() - started) * 1000
            print(json.dumps({"name": "demo_seed", "employees": employees, "ms": round(seed_ms)}))
            user_id = db.session.scalar(
                select(User).where(User.email == "employee@demo.empreinte.fr")
            ).get_id()
            point_id = db.session.scalar(select(CollectionPoint.id).limit(1))
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        counter = iter(range(1_000_000))
        form_page = client.get("/recycling/returns/new").get_data(as_text=True)
        token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', form_page)[1]
        measure("recycling_points_page", lambda: client.get("/recycling/"))
        measure("recycling_points_api", lambda: client.get("/api/v1/collection-points"))
        measure(
            "recycling_return_form", lambda: client.get(f"/recycling/returns/new?point={point_id}")
        )
        measure(
            "recycling_log_return",
            lambda: client.post(
                "/recycling/returns/new",
                data={"collection_point_id": point_id, "device_type": "laptop",
                      "condition": "working", "asset_tag": f"BENCH-{next(counter)}",
                      "wipe_requested": "y", "csrf_token": token},
            ),
        )  # fmt: skip


if __name__ == "__main__":
    main()
