"""Review of 7 December: the walk-in form said a wipe on the person's word « Effacé avant
d'être apporté (selon la personne) », the hand-over, its slip and the return's page
« Effacé avant d'être apporté, d'après ce qui a été dit au guichet ». The form now says
it as they do: one sentence, one msgid."""

from tests.recycling.test_walk_in import _only_walk_in, _record, _text, desk  # noqa: F401

SAID = "Effacé avant d'être apporté, d'après ce qui a été dit au guichet"


def test_the_walk_in_form_words_the_wipe_as_the_hand_over_does(client, desk):  # noqa: F811
    form = _text(client.get(f"/recycling/agent/walk-in?point={desk.point.id}"))
    assert SAID in form and "selon la personne" not in form
    _record(client, desk.point, wipe_requested="n")
    walk_in = _only_walk_in()
    handover = _text(client.get(f"/recycling/agent/handover?point={desk.point.id}"))
    assert walk_in.receipt_number in handover and SAID in handover
