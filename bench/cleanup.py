"""Seed the Bordeaux-scale demo into a temporary SQLite file and time the clean-up pages.

Prints one JSON line per measure: {"name": ..., "p50_ms": ..., "p95_ms": ...}.
"""

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from app import create_app
from app.config import Config
from app.core.demo import seed_demo
from app.core.time import utcnow
from app.extensions import db


def measure(name, call, runs=20):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
    print(
        json.dumps(
            {"name": name, "p50_ms": round(statistics.median(timings), 1), "p95_ms": round(p95, 1)}
        )
    )


def main():
    employees = int(os.environ.get("DEMO_EMPLOYEES", "20000"))
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(folder) / 'bench.db'}")
        app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            seed_demo(app, employees)
            db.session.commit()
            print(
                json.dumps(
                    {"name": "demo_seed_total", "seconds": round(time.perf_counter() - start, 1)}
                )
            )
            from app.auth.models import User
            from app.cleanup import queries

            user = db.session.scalar(
                db.select(User).where(User.email == "employee@demo.empreinte.fr")
            )
            campaign = queries.current_campaign(utcnow())
            cid = campaign.id
            with app.test_request_context():
                start = time.perf_counter()
                queries.get_board(campaign)
                print(
                    json.dumps(
                        {
                            "name": "scoreboard_recompute",
                            "ms": round((time.perf_counter() - start) * 1000, 1),
                        }
                    )
                )
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        for scope in ("individuals", "departments", "communes"):
            measure(
                f"api_leaderboard_{scope}",
                lambda s=scope: client.get(f"/api/v1/campaigns/{cid}/leaderboard?scope={s}"),
            )
        measure(
            "api_leaderboard_individuals_page_100",
            lambda: client.get(f"/api/v1/campaigns/{cid}/leaderboard?page=100"),
        )
        measure("leaderboard_page", lambda: client.get(f"/cleanup/campaigns/{cid}/leaderboard"))
        measure("campaign_page", lambda: client.get(f"/cleanup/campaigns/{cid}"))
        measure("api_campaign_detail", lambda: client.get(f"/api/v1/campaigns/{cid}"))
        measure(
            "api_log_action_then_rank",
            lambda: client.post(
                f"/api/v1/campaigns/{cid}/actions",
                json={"action_type": "unsubscribe", "quantity": 1},
            ),
            runs=5,
        )


if __name__ == "__main__":
    main()
