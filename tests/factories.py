"""Factories that build real rows in the test database with sensible defaults."""

import itertools

from app.auth import services as auth_services
from app.auth.models import UserRole
from app.core.models import Commune, Department
from app.extensions import db

DEFAULT_PASSWORD = "correct horse battery"
_counter = itertools.count(1)


class Factories:
    def commune(self, **overrides) -> Commune:
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
        db.session.commit()
        return commune

    def department(self, **overrides) -> Department:
        n = next(_counter)
        commune = overrides.pop("commune", None) or self.commune()
        values = {"code": f"D{n}", "name_fr": f"Direction {n}", "name_en": f"Department {n}"}
        values.update(overrides)
        department = Department(commune=commune, **values)
        db.session.add(department)
        db.session.commit()
        return department

    def user(self, roles=("employee",), password=DEFAULT_PASSWORD, **overrides):
        n = next(_counter)
        department = overrides.pop("department", None)
        if department is None and overrides.pop("with_department", True):
            department = self.department()
        user = auth_services.create_user(
            overrides.pop("email", f"person{n}@example.org"),
            overrides.pop("display_name", f"Person {n}"),
            roles=tuple(roles),
            password=password,
            department_code=department.code if department else None,
        )
        for key, value in overrides.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    def add_role(self, user, role: str):
        db.session.add(UserRole(user=user, role=role))
        db.session.commit()
        return user
