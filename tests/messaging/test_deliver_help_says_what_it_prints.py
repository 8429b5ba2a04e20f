"""`flask messaging deliver --help` says what the command prints, as the README does:
how many dispatches it went through (each one's counts by status are on its page). Its
help promised "counts", which it never printed."""


def test_the_deliver_help_says_it_prints_how_many_dispatches(app):
    result = app.test_cli_runner().invoke(args=["messaging", "deliver", "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "print counts" not in text
    assert "then print how many it went through" in text
    assert "counts by status are on its page" in text
