"""Every Flask-WTF form of the portal is fuzzed through its route by some property test:
a new form without one fails here, by name."""

import importlib
import pkgutil
from pathlib import Path

from flask_wtf import FlaskForm

import app as portal
from app.core.forms import PortalForm
from tests.trust.fuzzing import FUZZED_FORMS

FUZZ_MODULES = sorted(Path(__file__).parent.glob("test_*form_fuzz.py"))


def _portal_forms() -> set[type]:
    """Every FlaskForm subclass defined in a module of the `app` package."""
    for module in pkgutil.walk_packages(portal.__path__, prefix="app."):
        importlib.import_module(module.name)
    found, pending = set(), list(FlaskForm.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        # PortalForm is the base of the others, never a form shown on its own.
        if form_class.__module__.split(".")[0] == "app" and form_class is not PortalForm:
            found.add(form_class)
    return found


def _name(form_class: type) -> str:
    return f"{form_class.__module__}.{form_class.__qualname__}"


def test_every_form_is_fuzzed_by_a_property_test():
    for path in FUZZ_MODULES:  # their @fuzzes(...) declarations fill the registry
        importlib.import_module(f"tests.trust.{path.stem}")
    forms = _portal_forms()
    assert len(forms) >= 30, "the forms of the portal were not found"
    missing = sorted(_name(f) for f in forms if not FUZZED_FORMS.get(f))
    assert not missing, (
        "forms without a fuzz test (add one with @fuzzes(Form) in "
        f"tests/trust/test_*form_fuzz.py): {', '.join(missing)}"
    )
