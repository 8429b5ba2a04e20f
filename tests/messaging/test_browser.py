"""An organiser writes a template, previews it in both languages and schedules it."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.messaging.models import Dispatch

pytestmark = pytest.mark.browser


def test_organiser_writes_previews_and_schedules_a_template(page, make):
    make.user(roles=("organiser",), email="nora@example.org", display_name="Nora Benali")
    page.goto("/auth/sign-in")
    page.fill("#email", "nora@example.org")
    page.fill("#password", "correct horse battery")
    page.locator("main form button[type=submit]").click()
    page.goto("/messaging/templates/new")
    page.fill("#key", "spring")
    page.fill("#name", "Printemps")
    page.fill("#subject_fr", "Bonjour {{ first_name }}")
    page.fill("#body_fr", "Le printemps arrive, {{ first_name }}.")
    page.fill("#subject_en", "Hello {{ first_name }}")
    page.fill("#body_en", "Spring is coming, {{ first_name }}.")
    # the live preview (htmx) shows both languages for the organiser
    preview = page.locator("#preview")
    preview.get_by_text("Le printemps arrive, Nora.").wait_for()
    preview.get_by_text("Spring is coming, Nora.").wait_for()
    page.locator("button[name=action][value=save]").click()
    page.get_by_role("link", name="Planifier ce modèle").click()
    page.get_by_label("À une date et une heure").check()
    page.fill("#at", "2099-03-02T09:00")
    page.locator("#schedule-form button[type=submit]:not([formaction])").click()
    page.get_by_text("Message planifié.").wait_for()
    dispatch = db.session.scalar(select(Dispatch))
    assert dispatch.template.key == "spring" and dispatch.status == "scheduled"
