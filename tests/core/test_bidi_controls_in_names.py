"""A name holding a direction override (U+202E) turns the text after it around wherever
it shows (leaderboards, the review queue, the audit log): « Anne ‮nimda » reads as
« Anne admin ». Imports and forms drop the direction controls from one-line text, as
token names already did; a letter of any script stays."""

from app.auth.directory import read_directory
from app.core.csv_import import clean_cell
from app.core.forms import one_line

OVERRIDES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_a_directory_line_named_with_an_override_is_read_without_it():
    entries, problems = read_directory(
        "email,display_name\nanne.masson@example.org,\u202eevil\u202c Masson\n"
    )
    assert problems == []
    assert entries[0].display_name == "evil Masson"


def test_every_direction_control_is_dropped_and_other_scripts_kept():
    assert clean_cell(f"Sami{OVERRIDES} سامي") == "Sami سامي"
    assert one_line(f"Pseudo{OVERRIDES}nyme") == "Pseudonyme"
