"""Fixtures the core tests share with the messaging ones: a real SMTP server."""

from tests.messaging.conftest import smtp  # noqa: F401
