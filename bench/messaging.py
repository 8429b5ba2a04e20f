"""Bench: a dispatch to every demo employee (half consenting) through a local SMTP server.

Seeds the Bordeaux-scale demo (DEMO_EMPLOYEES, 20,000 by default) into a temporary
SQLite database, starts aiosmtpd in its own process, then times the whole dispatch:
outbox, variables, rendering per locale, SMTP delivery. Prints JSON lines.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app import create_app
from app.config import Config
from app.core.demo import seed_demo
from app.core.time import utcnow
from app.extensions import db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    employees = int(os.environ.get("DEMO_EMPLOYEES", 20_000))
    port = free_port()
    smtp = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-u", "-l", f"127.0.0.1:{port}", "-c",
         "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            Config,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(tmp) / 'bench.db'}",
            SECRET_KEY="bench",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=port,
            MAIL_WORKING_HOURS="24/7",
        )
        with app.app_context():
            db.create_all()
            seed_demo(app, employees)
            db.session.commit()
            from app.messaging import jobs, services

            template = services.template_by_key("weekly-digest")
            now = utcnow()
            dispatch = services.create_dispatch(template, "everyone", {}, now, now)
            db.session.commit()
            time.sleep(0.5)  # let the SMTP server listen
            started = time.perf_counter()
            counts = jobs.run_dispatch(dispatch.id)
            seconds = time.perf_counter() - started
            messages = counts.get("delivered", 0)
            print(
                json.dumps(
                    {
                        "name": "dispatch",
                        "seconds": round(seconds, 2),
                        "messages": messages,
                        "messages_per_s": round(messages / seconds, 1),
                        "counts": counts,
                    }
                )
            )
            from app.auth.models import User

            user = db.session.scalar(db.select(User).where(User.email.like("employee@%")))
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
            timings = []
            for _ in range(30):
                t = time.perf_counter()
                client.get("/messaging/")
                timings.append((time.perf_counter() - t) * 1000)
            timings.sort()
            print(
                json.dumps(
                    {
                        "name": "inbox_page",
                        "p50_ms": round(statistics.median(timings), 1),
                        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
                    }
                )
            )
            db.session.remove()
            db.engine.dispose()
    smtp.terminate()
    smtp.wait()


if __name__ == "__main__":
    main()
