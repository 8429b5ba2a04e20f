"""The README's nginx log format leaves the tokens of unsubscribe and sign-in links out of
the access log; its map named `/unsubscribe/`, while the portal serves
`/messaging/unsubscribe/<token>`: every unsubscribe visit was logged with a token that
works for whoever reads it. Each route carrying a token must match one of the map's rules."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _logged_uri_rules() -> list[re.Pattern]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"map \$uri \$empreinte_logged_uri \{(.*?)\n\}", text, re.S).group(1)
    return [re.compile(rule) for rule in re.findall(r"^\s*~(\S+)\s", block, re.M)]


def test_every_route_with_a_token_in_its_path_is_masked_in_the_access_log(app):
    rules = _logged_uri_rules()
    with_tokens = [r.rule for r in app.url_map.iter_rules() if "<token>" in r.rule]
    assert with_tokens, "the portal serves sign-in and unsubscribe links with tokens"
    for rule in with_tokens:
        path = rule.replace("<token>", "s3cr3t-T0ken")
        assert any(pattern.search(path) for pattern in rules), f"{rule} logged with its token"
