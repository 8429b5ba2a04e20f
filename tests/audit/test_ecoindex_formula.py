"""The EcoIndex formula against the reference values published with ecoindex_python."""

import pytest

from bench.ecoindex import ecoindex, grade, quantile_position, score


@pytest.mark.parametrize(
    ("dom", "requests", "size_kb", "expected"),
    [
        (100, 100, 100, 72),
        (100, 100, 1000, 67),
        (100, 100, 10000, 58),
        (200, 200, 10000, 46),
        (2355, 267, 2493, 10),
        (240, 20, 331, 83),
    ],
)
def test_score_matches_the_published_reference_values(dom, requests, size_kb, expected):
    assert round(score(dom, requests, size_kb)) == expected


def test_a_value_inside_a_bucket_is_interpolated_linearly():
    # 61 DOM elements lie halfway between the quantiles 47 and 75: position 1.5.
    assert quantile_position((0, 47, 75, 159), 61) == pytest.approx(1.5)


def test_values_beyond_the_last_quantile_get_the_worst_position():
    assert quantile_position((0, 47, 75), 10_000) == 2


@pytest.mark.parametrize(
    ("value", "letter"), [(100, "A"), (80.5, "A"), (80, "B"), (50.2, "D"), (25, "F"), (10, "G")]
)
def test_grades_follow_the_published_floors(value, letter):
    assert grade(value) == letter


def test_reference_page_gets_its_published_greenhouse_gas_and_water_figures():
    result = ecoindex(100, 100, 100)
    assert (result.grade, result.ges_g_co2e, result.water_cl) == ("B", 1.56, 2.34)
