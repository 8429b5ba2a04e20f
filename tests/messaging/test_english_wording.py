"""Natural English in what people receive: the e-mail footer says "You are receiving this
e-mail because you agreed to receive e-mails from Empreinte." (and its French, in both
the plain-text and HTML parts); the built-in campaign messages say "More how-to guides:",
"Campaign page:" and "your department" (not "team"), and a built-in nobody edited in an
existing database takes the new wording by itself, as the README promises."""

from sqlalchemy import select

from app.extensions import db
from app.messaging.builtins import BUILTIN_TEMPLATES, SHIPPED_TEXTS, shipped_fingerprint
from app.messaging.models import MessageTemplate
from app.messaging.services import ensure_builtin_templates
from tests.messaging.conftest import deliver_to_everyone

# The launch message as the previous release shipped it.
OLD_WORDS = {
    "More how-to guides: ": "Guides for going further: ",
    " for you and for your department.": " for you and for your team.",
    # A later release wrote "started … and runs until", not "and ends on".
    " and runs until ": " and ends on ",
}


def _parts(mail) -> tuple[str, str]:
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def test_the_footer_says_why_in_natural_english_and_in_french(make, template, smtp, config):
    config(MAIL_WORKING_HOURS="24/7")
    make.user(email="en@example.org", locale="en", email_opt_in=True)
    make.user(email="fr@example.org", locale="fr", email_opt_in=True)
    deliver_to_everyone(template())
    mails = dict(smtp.messages)
    for part in _parts(mails["en@example.org"]):
        assert (
            "You are receiving this e-mail because you agreed to receive e-mails from Empreinte."
            in part
        )
        assert "accepted e-mails" not in part
    for part in _parts(mails["fr@example.org"]):
        assert (
            "Vous recevez cet e-mail parce que vous avez accepté de recevoir les e-mails "
            "d'Empreinte." in part.replace("&#39;", "'")
        )


def test_the_launch_message_says_more_how_to_guides_and_campaign_page(app):
    body = BUILTIN_TEMPLATES["campaign-launch"]["body_en"]
    assert "More how-to guides: {{ guides_url }}" in body
    assert "Campaign page: {{ campaign_url }}" in body
    for texts in BUILTIN_TEMPLATES.values():
        assert "Guides to do more" not in texts["body_en"]
        assert "Guides for going further" not in texts["body_en"]
        assert "The campaign's page" not in texts["body_en"]


def test_the_campaign_messages_name_the_department_not_a_team(app):
    for key in ("campaign-launch", "campaign-reminder", "campaign-last-48h", "weekly-digest"):
        body = BUILTIN_TEMPLATES[key]["body_en"]
        assert "team," not in body and "your team" not in body, key
    assert " for you and for your department." in BUILTIN_TEMPLATES["campaign-launch"]["body_en"]
    assert (
        "Your department, {{ team_name }}, has"
        in (BUILTIN_TEMPLATES["campaign-last-48h"]["body_en"])
    )


def test_an_unedited_builtin_of_an_existing_database_takes_the_new_wording(app):
    ensure_builtin_templates()
    db.session.commit()
    launch = db.session.scalar(
        select(MessageTemplate).where(MessageTemplate.key == "campaign-launch")
    )
    # As the release before installed it: the old English words, and the French
    # « équipe » the next release made « direction ».
    for new, old in OLD_WORDS.items():
        launch.body_en = launch.body_en.replace(new, old)
    launch.body_fr = launch.body_fr.replace("pour votre direction.", "pour votre équipe.")
    assert shipped_fingerprint(launch) == SHIPPED_TEXTS["campaign-launch"][-4]
    db.session.commit()
    assert "campaign-launch" in ensure_builtin_templates()
    db.session.commit()
    db.session.refresh(launch)
    assert "More how-to guides: " in launch.body_en and "for your department." in launch.body_en
    assert "pour vous et pour votre direction." in launch.body_fr
    # An organiser's own edit stays as written.
    launch.body_en = launch.body_en.replace("Campaign page: ", "Our page: ")
    db.session.commit()
    assert "campaign-launch" not in ensure_builtin_templates()
