"""Factories that build real rows in the test database with sensible defaults."""

import itertools

from app.auth import services as auth_services
from app.auth.models import UserRole
from app.core.models import Commune, Department
from app.extensions import db

DEFAULT_PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def _save(commit: bool) -> None:
    """Commit, or only flush when the row is part of a bigger one being built (a person's
    department and commune): one transaction per person instead of three."""
    if commit:
        db.session.commit()
    else:
        db.session.flush()


class Factories:
    def commune(self, commit=True, **overrides) -> Commune:
        n = next(_counter)
        values = {
            "insee_code": f"{33000 + n % 999:05d}",
            "name": f"Commune {n}",
            "latitude": 44.84,
            "longitude": -0.58,
        }
        values.update(overrides)
        commune = Commune(**values)
        db.session.add(commune)
        _save(commit)
        return commune

    def department(self, commit=True, **overrides) -> Department:
        n = next(_counter)
        commune = overrides.pop("commune", None) or self.commune(commit=False)
        values = {"code": f"D{n}", "name_fr": f"Direction {n}", "name_en": f"Department {n}"}
        values.update(overrides)
        department = Department(commune=commune, **values)
        db.session.add(department)
        _save(commit)
        return department

    def user(self, roles=("employee",), password=DEFAULT_PASSWORD, **overrides):
        n = next(_counter)
        department = overrides.pop("department", None)
        if department is None and overrides.pop("with_department", True):
            department = self.department(commit=False)
        user = auth_services.create_user(
            overrides.pop("email", f"person{n}@example.org"),
            overrides.pop("display_name", f"Person {n}"),
            roles=tuple(roles),
            password=password,
            department_code=department.code if department else None,
            pseudonym=overrides.pop("pseudonym", None),
        )
        for key, value in overrides.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    def add_role(self, user, role: str):
        db.session.add(UserRole(user=user, role=role))
        db.session.commit()
        return user
