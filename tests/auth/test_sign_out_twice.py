"""Signing out on a second device after the first ended every session."""

from tests.conftest import csrf_token, login


def test_sign_out_on_a_page_whose_session_ended_elsewhere_says_signed_out(app, make):
    """ "Sign out on all my devices" on device A ends B's session too. B's page still has
    a valid form token, and its "Sign out" asked B to sign in (next=/auth/sign-out)."""
    person = make.user()
    device_a, device_b = app.test_client(), app.test_client()
    login(device_a, person)
    login(device_b, person)
    token_b = csrf_token(device_b)
    device_a.post("/auth/profile/sign-out-everywhere", data={"csrf_token": csrf_token(device_a)})

    answer = device_b.post("/auth/sign-out", data={"csrf_token": token_b})

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/auth/sign-in"
    page = device_b.get("/auth/sign-in").get_data(as_text=True)
    assert "Déconnexion effectuée." in page
    assert "Connectez-vous pour continuer" not in page
