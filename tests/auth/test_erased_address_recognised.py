"""The staff directory still recognises an erased address now that its digest is keyed
and kept apart: under the current key, under a former one while it is in
SECRET_KEY_FALLBACKS, and in the unkeyed form erasures stored before (migration
20261217_auth_erased_apart). A recognised digest in an older form is replaced by the
current one."""

import hashlib

from sqlalchemy import func, select

from app.auth.models import ErasedAddress, User
from app.auth.services import erased_address_digest
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db

ADDRESS = "gone@example.org"
LISTED = "email,display_name\nGone@Example.org,Gone Person\nstays@example.org,Stays Here\n"
FORMER, NEW = "former-key-of-the-portal-32-chars", "new-key-of-the-portal-32-chars-x"


def run_import(runner, tmp_path, text, *options):
    path = tmp_path / "directory.csv"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["users", "import", str(path), *options])
    assert result.exit_code == 0, result.output
    return result.output


def import_in(application, tmp_path, text) -> str:
    """`flask users import` run by `application` (a CLI command otherwise runs in the
    test's own app, already current)."""
    with application.app_context():
        output = run_import(application.test_cli_runner(), tmp_path, text)
        db.session.remove()
    return output


def kept() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(ErasedAddress.digest)))


def accounts_of(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def erased_under(application, make) -> str:
    """Erase someone whose address is ADDRESS in `application`; their digest there."""
    user = make.user(email=ADDRESS)
    make.user(email="stays@example.org", display_name="Stays Here")
    db.session.commit()
    with application.app_context():
        runner = application.test_cli_runner()
        assert runner.invoke(args=["privacy", "erase", ADDRESS, "--yes"]).exit_code == 0
        digest = erased_address_digest(ADDRESS)
        db.session.remove()
    assert db.session.get(User, user.id).anonymised_at is not None
    assert kept() == {digest}
    return digest


def test_an_address_erased_under_a_former_key_is_recognised_and_rekeyed(make_app, make, tmp_path):
    former = erased_under(make_app(SECRET_KEY=FORMER), make)
    rolled = make_app(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[FORMER])

    output = import_in(rolled, tmp_path, LISTED)

    assert (
        "1 person erased at their request was not recreated." in output
        and accounts_of(ADDRESS) == 0
    )
    with rolled.app_context():
        assert kept() == {erased_address_digest(ADDRESS)} != {former}
        db.session.remove()


def test_once_rekeyed_the_former_key_is_no_longer_needed(make_app, make, tmp_path):
    erased_under(make_app(SECRET_KEY=FORMER), make)
    import_in(make_app(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[FORMER]), tmp_path, LISTED)

    output = import_in(make_app(SECRET_KEY=NEW), tmp_path, LISTED)

    assert (
        "1 person erased at their request was not recreated." in output
        and accounts_of(ADDRESS) == 0
    )


def test_an_unkeyed_digest_stored_before_is_recognised_then_replaced(runner, tmp_path, make):
    make.user(email="stays@example.org", display_name="Stays Here")
    db.session.add(ErasedAddress(digest=hashlib.sha256(f"erased:{ADDRESS}".encode()).hexdigest()))
    db.session.commit()

    output = run_import(runner, tmp_path, LISTED)

    assert (
        "1 person erased at their request was not recreated." in output
        and accounts_of(ADDRESS) == 0
    )
    assert kept() == {erased_address_digest(ADDRESS)}


def test_a_full_import_forgets_an_unkeyed_digest_it_no_longer_lists(runner, tmp_path, make):
    make.user(email="stays@example.org", display_name="Stays Here")
    db.session.add(ErasedAddress(digest=hashlib.sha256(f"erased:{ADDRESS}".encode()).hexdigest()))
    db.session.commit()

    run_import(
        runner,
        tmp_path,
        "email,display_name\nstays@example.org,Stays Here\n",
        "--deactivate-missing",
    )

    assert kept() == set()


def test_an_address_erased_twice_keeps_one_digest(runner, make):
    """`flask users create` still opens an account for an erased address, as before (an
    operator's deliberate act); erasing that one too keeps a single digest."""
    erase_user(make.user(email=ADDRESS), utcnow())
    db.session.commit()
    assert runner.invoke(args=["users", "create", ADDRESS]).exit_code == 0
    assert accounts_of(ADDRESS) == 1

    result = runner.invoke(args=["privacy", "erase", ADDRESS, "--yes"])

    assert result.exit_code == 0, result.output
    assert kept() == {erased_address_digest(ADDRESS)}


def test_a_placeholder_address_leaves_no_digest(make):
    """An account whose address went to a new person holds `released-<id>@invalid`: its
    erasure has no address to recognise, and keeps nothing."""
    user = make.user(email="released-7@invalid")
    erase_user(user, utcnow())
    db.session.commit()

    assert kept() == set()
