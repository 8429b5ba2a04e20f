"""Sign-in fixtures: the real SMTP server the sign-in links go through."""

from tests.messaging.conftest import config, smtp, smtp_down  # noqa: F401
