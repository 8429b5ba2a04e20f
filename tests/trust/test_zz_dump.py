from flask import current_app
from tests.trust.access_matrix import EXPECTATIONS, PERSONAS
from tests.trust.sweep import (
    build_world,
    call,
    rules_for,
    sample_input,
    resolve,
    database_fingerprint,
)


def test_dump(app, make):
    out = open("/tmp/matrix-dump.txt", "w")
    for endpoint in sorted(EXPECTATIONS):
        from tests.conftest import empty_all_tables

        world = build_world(make)
        access = resolve(endpoint, EXPECTATIONS[endpoint], current_app)
        inputs = [None] + [d for d in [sample_input(endpoint, world)] if d is not None]
        for rule, method in rules_for(current_app, endpoint):
            for data in inputs:
                row = []
                for persona in PERSONAS:
                    client, user = world.client(persona)
                    before = database_fingerprint()
                    r = call(client, rule, method, world, data=data)
                    changed = "*" if database_fingerprint() != before else ""
                    loc = r.headers.get("Location", "")
                    row.append(
                        f"{persona[:6]}={r.status_code}{changed}"
                        + (
                            "->" + loc[:25]
                            if r.status_code == 302 and persona != "anonymous"
                            else ""
                        )
                    )
                print(
                    f"{method:4} {rule.rule:55} {'D' if data else ' '} {access.kind}{access.roles or access.personas} | "
                    + " ".join(row),
                    file=out,
                )
        db_session_cleanup()
    out.close()


def db_session_cleanup():
    from app.extensions import db
    from tests.conftest import empty_all_tables

    db.session.rollback()
    empty_all_tables()
