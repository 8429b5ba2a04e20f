"""A departed person's address given to a new hire: the directory import never hands the
new person the old account (its pseudonym, returns and messages), and never blocks the
whole file over it; addresses the portal's e-mails cannot reach are refused."""

import html
import io
import json
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.privacy_services import erase_departed_accounts, erase_user, export_personal_data
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login

HEADER = "email,display_name,staff_number\n"


def upload(auth, text, **options):
    data = {"file": (io.BytesIO(text.encode()), "staff.csv")}
    data.update({name: "y" for name, on in options.items() if on})
    return auth.post("/admin/directory", data, content_type="multipart/form-data")


def departed(make, email, name, number=None, by="directory"):
    """An account a directory import (or an admin) deactivated."""
    user = make.user(email=email, display_name=name, staff_number=number, password=None)
    user.active, user.deactivated_by, user.deactivated_at = False, by, utcnow()
    db.session.commit()
    return user


def account(email) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def page_text(client, path="/admin/directory") -> str:
    return html.unescape(client.get(path).get_data(as_text=True))


# 1. A departed account without a staff number is not given to a new person.


def test_a_new_hire_with_a_departed_persons_address_gets_a_new_account(client, auth, make):
    manon = departed(make, "manon.durand@example.org", "Manon Durand")
    pseudonym = manon.pseudonym
    login(client, make.user(roles=("admin",), locale="en"))

    answer = upload(auth, HEADER + "manon.durand@example.org,Nina Petit,N09998\n")

    assert answer.status_code == 302
    new = account("manon.durand@example.org")
    assert new.id != manon.id and new.display_name == "Nina Petit"
    assert new.pseudonym != pseudonym and new.staff_number == "N09998" and new.is_active
    old = db.session.get(User, manon.id)
    assert (old.display_name, old.pseudonym, old.active) == ("Manon Durand", pseudonym, False)
    assert old.email == f"released-{manon.id}@invalid"
    assert "1 address of a departed person was given to a new person" in page_text(client)


def test_a_departed_person_listed_again_under_their_name_gets_their_account_back(
    runner, tmp_path, make
):
    """The legitimate case: same address, same name (accents and capitals aside)."""
    manon = departed(make, "manon.durand@example.org", "Manon Durand")
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "manon.durand@example.org,MANON  Durand,N09998\n", encoding="utf-8")

    result = runner.invoke(args=["users", "import", str(path)])

    assert "1 reactivated" in result.output, result.output
    back = account("manon.durand@example.org")
    assert (back.id, back.staff_number, back.is_active) == (manon.id, "N09998", True)


def test_an_active_account_without_a_number_gets_its_number_whatever_the_name(
    runner, tmp_path, make
):
    known = make.user(email="known@example.org", display_name="Known Person")
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "known@example.org,Known Married-Name,K-7\n", encoding="utf-8")

    runner.invoke(args=["users", "import", str(path)])

    found = account("known@example.org")
    assert (found.id, found.staff_number, found.display_name) == (
        known.id,
        "K-7",
        "Known Married-Name",
    )


# 2. An address still held by a departed account with another number no longer blocks.


def test_a_reused_address_no_longer_blocks_the_nightly_import(client, auth, make):
    old = departed(make, "jean.martin@example.org", "Jean Martin", "M00135")
    make.user(email="stays@example.org", display_name="Old Name", staff_number="S1")
    login(client, make.user(roles=("admin",), locale="fr"))
    text = HEADER + "jean.martin@example.org,Jean Martin,N09999\nstays@example.org,New Name,S1\n"

    checked = upload(auth, text, check_only=True)
    preview = html.unescape(checked.get_data(as_text=True))
    assert checked.status_code == 200
    assert (
        "jean.martin@example.org, jusqu'ici attribuée au compte désactivé\u00a0: Jean Martin"
        in preview
    )

    assert upload(auth, text).status_code == 302
    new = account("jean.martin@example.org")
    assert new.id != old.id and new.staff_number == "N09999" and new.is_active
    assert account("stays@example.org").display_name == "New Name"  # the rest went through
    kept = db.session.get(User, old.id)
    assert (kept.staff_number, kept.email) == ("M00135", f"released-{old.id}@invalid")
    said = page_text(client)
    assert "1 adresse d'une personne partie a été donnée à une nouvelle personne" in said
    log = page_text(client, f"/admin/people/{old.id}")
    assert f"Adresse donnée à un nouveau membre du personnel (compte n°\u00a0{new.id})" in log


def test_an_active_account_with_another_number_still_refuses_the_line(runner, tmp_path, make):
    make.user(email="jean.martin@example.org", staff_number="M00135")
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "jean.martin@example.org,Jean Martin,N09999\n", encoding="utf-8")

    result = runner.invoke(args=["users", "import", str(path)])

    assert result.exit_code == 1
    assert "This address belongs to the account with staff number M00135." in result.output
    assert account("jean.martin@example.org").staff_number == "M00135"


def test_the_cli_says_how_many_addresses_it_gave_to_new_people(runner, tmp_path, make):
    departed(make, "jean.martin@example.org", "Jean Martin", "M00135")
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "jean.martin@example.org,Jean Martin,N09999\n", encoding="utf-8")

    result = runner.invoke(args=["users", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    assert (
        "1 address of a departed person was given to a new person (the departed account "
        "keeps its data)." in result.output
    )


def test_an_account_whose_address_was_released_can_still_be_exported_and_erased(
    client, auth, make, smtp
):
    old = departed(make, "jean.martin@example.org", "Jean Martin", "M00135")
    login(client, make.user(roles=("admin",), locale="en"))
    upload(auth, HEADER + "jean.martin@example.org,Jean Martin,N09999\n")
    old = db.session.get(User, old.id)

    document = json.dumps(export_personal_data(old, utcnow()), default=str)
    assert f"released-{old.id}@invalid" in document and "Jean Martin" in document
    # The retention job erases it like any departed account…
    assert (
        erase_departed_accounts(utcnow() + timedelta(days=3650))["departed account(s) erased"] >= 1
    )
    assert db.session.get(User, old.id).anonymised_at is not None
    db.session.commit()
    # … and the new person's address is not taken for an erased one: still updated.
    assert (
        upload(auth, HEADER + "jean.martin@example.org,Jean Martin-Roux,N09999\n").status_code
        == 302
    )
    assert account("jean.martin@example.org").display_name == "Jean Martin-Roux"
    # The new person signs in with a link, sent to them.
    other = client.application.test_client()
    other.post(
        "/auth/sign-in/link",
        data={"link-email": "jean.martin@example.org", "csrf_token": csrf_token(other)},
        buffered=True,
    )
    assert smtp.recipients() == ["jean.martin@example.org"]


def test_an_admin_erases_an_account_whose_address_was_released(client, auth, make):
    old = departed(make, "jean.martin@example.org", "Jean Martin", "M00135")
    login(client, make.user(roles=("admin",), locale="en"))
    upload(auth, HEADER + "jean.martin@example.org,Jean Martin,N09999\n")

    erase_user(db.session.get(User, old.id), utcnow())
    db.session.commit()

    assert db.session.get(User, old.id).email == f"erased-{old.id}@invalid"
    assert account("jean.martin@example.org").is_active
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_id == str(old.id), AuditEvent.action == "update")
    )
    assert event is not None  # the release stays in the log


# 3. Addresses the portal's e-mails cannot reach.


def test_the_import_refuses_an_address_with_accented_letters(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))

    answer = upload(auth, "email,display_name\nélodie.françois@example.org,Élodie François\n")

    said = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 422
    assert "lettres accentuées" in said and "élodie.françois@example.org" in said
    assert account("élodie.françois@example.org") is None


# 5. The real import says what the check-only view says.


def test_a_real_import_says_who_was_kept_deactivated_and_who_kept_a_role(client, auth, make):
    departed(make, "away@example.org", "Away Person", by="admin")
    organiser = make.user(email="boss@example.org", roles=("organiser",))
    make.user(email="here@example.org", display_name="Here")
    login(client, admin := make.user(roles=("admin",), locale="en", email="admin@example.org"))
    text = "email,display_name\naway@example.org,Away Person\nhere@example.org,Here\n"
    text += "admin@example.org," + admin.display_name + "\n"

    answer = upload(auth, text, deactivate_missing=True)

    assert answer.status_code == 302
    said = page_text(client)
    assert "1 person listed but kept deactivated (by an admin)." in said
    assert "1 person not listed but kept active (they hold a role)." in said
    assert db.session.get(User, organiser.id).is_active
