"""Review, communications officer: « Rang : {{ rank }}.{% if rank|int <= 10 %} Bravo, top 10 !
{% endif %} » was saved, and everyone ranked 1 000 or worse, or not ranked, got « Bravo »:
rank reached the template as text (« 1 342 », « pas encore classé ») and |int made it 0.
« {% if points >= 100 %} » was refused at save. A number compares and converts as its value;
a rank not given yet compares as nothing (every comparison false)."""

from datetime import timedelta

from app.cleanup import services as cleanup_services
from app.core.personalisation import WrittenNumber
from app.core.time import utcnow
from app.extensions import db
from app.messaging.rendering import check_template, sandbox
from tests.conftest import login
from tests.messaging.conftest import deliver_to_everyone, inbox_of

TOP_TEN = "Rang : {{ rank }}.{% if rank|int <= 10 %} Bravo, top 10 !{% endif %}"


def _running(make_campaign):
    today = utcnow()
    return make_campaign(starts_at=today - timedelta(days=2), ends_at=today + timedelta(days=19))


def _render(source: str, **values) -> str:
    return sandbox().from_string(source).render(values)


def test_a_rank_written_with_a_thousands_separator_is_not_top_ten():
    rank = WrittenNumber("1\u202f342", 1342)
    assert _render("{% if rank|int <= 10 %}Bravo{% else %}non{% endif %}", rank=rank) == "non"


def test_a_rank_compares_as_its_value_without_a_filter():
    rank = WrittenNumber("1\u202f342", 1342)
    assert _render("{% if rank > 1000 %}loin{% endif %}", rank=rank) == "loin"


def test_points_convert_to_a_float_as_their_value():
    points = WrittenNumber("12\u202f400", 12400)
    assert _render("{{ points|float > 12000.5 }}", points=points) == "True"


def test_points_still_print_as_written():
    points = WrittenNumber("12\u202f400", 12400)
    assert _render("{{ points }} points", points=points) == "12\u202f400 points"


def test_no_rank_yet_is_never_in_the_top_ten():
    unranked = WrittenNumber("pas encore classé", None)
    source = "{% if rank|int <= 10 %}Bravo{% endif %}{% if rank <= 10 %}Bravo{% endif %}"
    assert _render(source, rank=unranked) == ""


def test_no_rank_yet_is_none():
    unranked = WrittenNumber("pas encore classé", None)
    assert _render("{{ rank is none }}", rank=unranked) == "True"


def test_a_comparison_of_points_is_accepted_at_save(app):
    texts = {
        "subject_fr": "Points",
        "body_fr": "{% if points >= 100 %}Bravo{% endif %}",
        "subject_en": "Points",
        "body_en": "{% if team_points > 10000 and days_left|int < 3 %}Go{% endif %}",
    }
    assert check_template(texts) == []


def test_an_unranked_person_gets_no_bravo_and_a_first_one_does(make, make_campaign, template):
    campaign = _running(make_campaign)
    first = make.user(locale="fr")
    newcomer = make.user(locale="fr")
    cleanup_services.log_action(first, campaign, "delete-mail", 2, utcnow())
    db.session.commit()
    saved = template(body_fr=TOP_TEN, body_en="Rank: {{ rank }}.")
    deliver_to_everyone(saved)
    assert inbox_of(first)[0].body == "Rang : 1. Bravo, top 10 !"
    assert inbox_of(newcomer)[0].body == "Rang : pas encore classé."


def test_the_variables_help_says_numbers_compare_and_an_unranked_rank_never_does(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get("/messaging/templates/new").get_data(as_text=True)
    assert "{% if points &gt;= 100 %}" in page
    assert "every comparison with it is false" in page
