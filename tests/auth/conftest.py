"""Sign-in fixtures: the real SMTP server the sign-in links go through, and a real
OpenID Connect provider for single sign-on."""

import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.messaging.conftest import config, smtp, smtp_down  # noqa: F401


@pytest.fixture(scope="session")
def identity_provider():
    """The provider's issuer URL; it accepts any client id and secret."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oidc_provider_mock",
            "--port",
            str(port),
            "--require-nonce",
            "true",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the OpenID provider did not start")
                time.sleep(0.1)
        yield issuer
    finally:
        server.terminate()
        server.wait(timeout=10)
