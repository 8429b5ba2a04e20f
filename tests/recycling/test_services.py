"""Recycling rules tested directly: hours, returns, custody, erasure, statistics, races."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.signals import device_return_received, device_returned
from app.extensions import db
from app.recycling import hours, providers, queries, services
from app.recycling.models import CustodyStep, DeviceReturn
from tests.recycling.conftest import HOURS, NOW


def test_open_now_is_computed_in_paris_time():
    # 09:00 UTC is 10:00 in Paris (open); 11:30 UTC is 12:30 in Paris (lunch break).
    assert hours.is_open(HOURS, NOW)
    assert not hours.is_open(HOURS, NOW.replace(hour=11, minute=30))


def test_public_holidays_close_the_point():
    christmas = datetime(2026, 12, 25, 9, 0, tzinfo=UTC)  # a Friday
    assert not hours.is_open(HOURS, christmas)


def test_hours_are_described_in_words_in_each_language():
    french = hours.describe_text(HOURS, "fr")
    english = hours.describe_text(HOURS, "en")
    # French typography: a no-break space before the colon and the semicolon, « 8 h 30 ».
    assert french.startswith(
        "Du lundi au vendredi\u00a0: 8\u00a0h\u00a030–12\u00a0h, 13\u00a0h\u00a030–17\u00a0h\u00a0; Samedi"
    )
    assert "Samedi et dimanche\u00a0: fermé" in french
    # Staff in France reading English: a 24-hour clock, as in the United Kingdom.
    assert english.startswith("Monday to Friday: 08:30–12:00, 13:30–17:00; Saturday")
    assert "Public holidays: closed" in english


def test_status_text_tells_when_the_point_closes_or_opens():
    assert hours.status_text(HOURS, NOW, "en") == "Open now, closes at 12:00"
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    assert hours.status_text(HOURS, friday_evening, "fr") == "Fermé, ouvre lundi à 8\u00a0h\u00a030"


def test_invalid_hours_are_refused():
    assert not hours.is_valid("every day at noon")
    assert hours.is_valid("Mo-Sa 09:00-18:00")


def test_a_return_is_declared_with_a_signed_first_step(make, rec):
    user, point = make.user(), rec.point()
    device_return = rec.device_return(user, point, asset_tag="bm-pc 0042")
    assert device_return.status == "declared"
    assert device_return.receipt_number.startswith("RC-")
    assert device_return.asset_tag_key == "BMPC0042"
    [step] = device_return.steps
    assert step.actor_id == user.id
    assert services.step_is_authentic(device_return.receipt_number, step)


def test_declaring_a_return_sends_the_device_returned_signal(app, make, rec):
    user, point = make.user(), rec.point()
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    with device_returned.connected_to(listener, app):
        device_return = rec.device_return(user, point)
    # `count_in`: the campaigns the person chose to count it in (none running here).
    assert received == [{"device_return": device_return, "user": user, "now": NOW, "count_in": ()}]
    assert received[0]["device_return"].id is not None  # flushed before the signal


@pytest.mark.parametrize(
    ("overrides", "device_type", "kwargs", "field"),
    [
        ({"active": False}, "laptop", {"wipe_requested": True}, "collection_point_id"),
        ({"accepted_types": "laptop"}, "printer", {"wipe_requested": True}, "device_type"),
        ({}, "smartphone", {"wipe_requested": False}, "data_wiped"),
        ({}, "laptop", {"wipe_requested": True, "data_wiped": True}, "data_wiped"),
    ],
    ids=[
        "closed point",
        "type not accepted",
        "data-bearing without wipe choice",
        "both wiped by the person and certified wipe asked",
    ],
)
def test_unacceptable_returns_are_refused_and_nothing_is_stored(
    make, rec, overrides, device_type, kwargs, field
):
    user, point = make.user(), rec.point(**overrides)
    with pytest.raises(services.ReturnError) as error:
        services.register_device_return(user, point, device_type, "working", NOW, **kwargs)
    assert error.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 0


def test_a_monitor_needs_no_wipe_choice(make, rec):
    device_return = rec.device_return(make.user(), rec.point(), "monitor", wipe_requested=False)
    assert not device_return.wipe_requested and not device_return.data_wiped


def test_the_same_tag_again_by_the_same_person_gives_the_original_receipt(make, rec):
    user, point = make.user(), rec.point()
    first = rec.device_return(user, point, asset_tag="PC-0042")
    again, created = services.register_device_return(
        user, point, "laptop", "broken", NOW, asset_tag="pc 0042", wipe_requested=True
    )
    assert not created
    assert again.receipt_number == first.receipt_number


def test_the_same_tag_by_someone_else_is_refused(make, rec):
    point = rec.point()
    rec.device_return(make.user(), point, asset_tag="PC-0042")
    with pytest.raises(services.AssetTagTaken):
        services.register_device_return(
            make.user(), point, "laptop", "working", NOW, asset_tag="pc_0042", wipe_requested=True
        )


def _race(app, users, point_id):
    """Each user declares the same tag at the same instant, in its own session; commits."""
    barrier = threading.Barrier(len(users))
    outcomes = []

    def declare(user_id):
        with app.app_context():
            from app.auth.models import User

            user = db.session.get(User, user_id)
            point = db.session.get(services.CollectionPoint, point_id)
            barrier.wait()
            try:
                device_return, created = services.register_device_return(
                    user, point, "laptop", "working", NOW, asset_tag="RACE-1", wipe_requested=True
                )
                db.session.commit()
                outcomes.append(
                    ("created" if created else "existing", device_return.receipt_number)
                )
            except services.AssetTagTaken:
                db.session.rollback()
                outcomes.append(("conflict", None))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=declare, args=(u.id,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes, key=lambda o: o[0])


def test_concurrent_submissions_of_one_tag_by_two_people_store_one_return(app, make, rec):
    point = rec.point()
    outcomes = _race(app, [make.user(), make.user()], point.id)
    assert [kind for kind, _ in outcomes] == ["conflict", "created"]
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 1


def test_concurrent_submissions_by_the_same_person_share_one_receipt(app, make, rec):
    user, point = make.user(), rec.point()
    outcomes = _race(app, [user, user], point.id)
    assert [kind for kind, _ in outcomes] == ["created", "existing"]
    assert outcomes[0][1] == outcomes[1][1]
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 1


def test_custody_goes_from_receipt_to_wipe_to_outcome_each_step_signed(app, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(), point)
    heard = []
    with device_return_received.connected_to(lambda s, **kw: heard.append(kw), app):
        services.confirm_receipt(device_return, agent, NOW + timedelta(hours=1))
    assert heard[0]["agent"] is agent and heard[0]["device_return"] is device_return
    with pytest.raises(services.ReturnError):
        services.record_outcome(device_return, agent, "reused", NOW + timedelta(hours=2))
    services.record_wipe(device_return, agent, "crypto_erase", date(2026, 11, 25), "C-77", NOW)
    services.record_outcome(
        device_return, agent, "refurbished", NOW + timedelta(hours=3), recipient="Ecoreso"
    )
    db.session.commit()
    assert [s.step for s in device_return.steps] == ["declared", "received", "wiped", "refurbished"]
    assert all(
        services.step_is_authentic(device_return.receipt_number, s) for s in device_return.steps
    )
    assert device_return.steps[2].certificate_number == "C-77"
    assert device_return.steps[1].actor_name == agent.display_name


def test_an_altered_step_no_longer_verifies(make, rec):
    point = rec.point()
    device_return = rec.device_return(make.user(), point)
    services.confirm_receipt(device_return, rec.agent(point), NOW)
    step = device_return.steps[1]
    step.at = step.at - timedelta(days=3)
    assert not services.step_is_authentic(device_return.receipt_number, step)


def test_receipt_cannot_be_confirmed_twice(make, rec):
    point = rec.point()
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(), point)
    services.confirm_receipt(device_return, agent, NOW)
    with pytest.raises(services.ReturnError):
        services.confirm_receipt(device_return, agent, NOW)


def test_a_wipe_dated_in_the_future_is_refused(make, rec):
    point = rec.point()
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(), point)
    services.confirm_receipt(device_return, agent, NOW)
    with pytest.raises(services.ReturnError) as error:
        services.record_wipe(device_return, agent, "crypto_erase", date(2026, 12, 1), "C-1", NOW)
    assert error.value.field == "wipe_date"


def test_nearest_point_follows_the_work_commune(make, rec):
    near = make.commune(latitude=44.80, longitude=-0.63)
    far = make.commune(latitude=45.01, longitude=-0.53)
    rec.point(commune=far, name="Far")
    rec.point(commune=near, name="Near")
    user = make.user(commune=near)
    assert queries.nearest_point(user).name == "Near"


def test_message_variables_give_the_nearest_point_and_hours_in_the_recipients_language(make, rec):
    commune = make.commune(latitude=44.80, longitude=-0.63)
    rec.point(commune=commune, name="Mairie", address="1 place A")
    rec.point(commune=make.commune(latitude=45.1, longitude=-0.4), name="Elsewhere")
    french = make.user(commune=commune, locale="fr")
    english = make.user(commune=commune, locale="en")
    values = providers.message_variables([french, english], NOW, {})
    assert values[french.id]["nearest_collection_point"] == "Mairie – 1 place A"
    assert values[french.id]["nearest_collection_point_hours"].startswith("Du lundi au vendredi")
    assert values[english.id]["nearest_collection_point_hours"].startswith("Monday to Friday")


def test_erasure_detaches_the_person_and_keeps_statistics(make, rec):
    point = rec.point()
    user = make.user()
    rec.device_return(user, point, asset_tag="X1")
    rec.device_return(user, point, "monitor", wipe_requested=False)
    mistaken = rec.device_return(user, point, "tablet")
    services.withdraw_return(user, mistaken, NOW)  # its withdrawn step names the person too
    db.session.commit()
    before = queries.statistics()
    services.erase_returns(user, NOW)
    db.session.commit()
    assert queries.personal_returns(user) == []
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 3
    assert (
        db.session.scalar(select(func.count(CustodyStep.id)).where(CustodyStep.actor_id == user.id))
        == 0
    )
    assert queries.statistics() == before
    assert (before["total"], before["expected"]) == (0, 2)  # the withdrawn one counts nowhere
    steps = db.session.scalars(
        select(CustodyStep).where(CustodyStep.return_id == mistaken.id).order_by(CustodyStep.id)
    ).all()
    assert [step.step for step in steps] == ["declared", "withdrawn"]
    assert all(
        step.actor_name == "" and services.step_is_authentic(mistaken.receipt_number, step)
        for step in steps
    )


def test_personal_data_export_lists_returns_with_their_custody(make, rec):
    user = make.user()
    device_return = rec.device_return(user, rec.point(), asset_tag="T-9")
    [exported] = queries.personal_returns(user)
    assert exported["receipt_number"] == device_return.receipt_number
    assert exported["custody"][0]["step"] == "declared"


def test_statistics_estimate_ewaste_and_avoided_footprint(make, rec):
    from app.catalogue.queries import reference_embodied_by_device_type

    point = rec.point()
    agent = rec.agent(point)
    reused = rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    rec.device_return(make.user(), point, "laptop")
    services.confirm_receipt(reused, agent, NOW)
    services.record_outcome(reused, agent, "reused", NOW)
    db.session.commit()
    stats = queries.statistics()
    # The laptop is declared, not brought yet: it is no e-waste collected.
    assert (stats["total"], stats["expected"]) == (1, 1)
    assert stats["kg_received"] == pytest.approx(queries.TYPICAL_WEIGHT_KG["monitor"])
    # Reused inside the administration: no e-waste left it.
    assert stats["kg_ewaste"] == 0
    assert stats["kgco2e_avoided"] == pytest.approx(reference_embodied_by_device_type()["monitor"])
    assert dict(stats["by_outcome"])["reused"] == 1


def test_reference_embodied_values_cover_every_device_type():
    from app.catalogue.queries import reference_embodied_by_device_type
    from app.core.devices import DEVICE_TYPES

    values = reference_embodied_by_device_type()
    assert set(values) == set(DEVICE_TYPES)
    assert values["laptop"] == pytest.approx(181.0)  # Boavizta / ADEME, professional laptop


def test_demo_seed_gives_each_commune_a_point_and_returns_in_every_status(app):
    import random

    from app.core.demo import seed_core
    from app.recycling.models import STATUSES, CollectionPoint
    from app.recycling.seed import seed_recycling

    rng = random.Random(1)
    seed_core(rng, 60)
    seed_recycling(rng, returns=400)
    db.session.commit()
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == 28
    statuses = set(db.session.scalars(select(DeviceReturn.status).distinct()))
    # and declarations never brought within a month, closed by their point's agent
    assert statuses == {*STATUSES, "not_brought"}
    step = db.session.scalar(select(CustodyStep).where(CustodyStep.step == "wiped").limit(1))
    assert services.step_is_authentic(step.device_return.receipt_number, step)


def test_steps_signed_before_a_new_secret_key_still_verify_with_the_former_one(app, make, rec):
    """SECRET_KEY_FALLBACKS: rolling out a new key does not make every past step of the
    chain of custody look tampered with; without the former key they would."""
    point = rec.point()
    device_return = rec.device_return(make.user(), point)
    services.confirm_receipt(device_return, rec.agent(point), NOW)
    former = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-new-key-rolled-out"
    try:
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert not services.step_is_authentic(device_return.receipt_number, device_return.steps[1])
        app.config["SECRET_KEY_FALLBACKS"] = [former]
        assert all(
            services.step_is_authentic(device_return.receipt_number, step)
            for step in device_return.steps
        )
    finally:
        app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = former, []
