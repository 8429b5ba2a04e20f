"""Cross-domain fixtures: the real SMTP server of messaging, recycling's points and a clock.

The fixtures are the domains' own, imported so that pytest finds them here too.
"""

from datetime import UTC, datetime

from tests.catalogue.conftest import make_item  # noqa: F401
from tests.cleanup.conftest import flagged, make_campaign  # noqa: F401
from tests.messaging.conftest import config, smtp, template  # noqa: F401
from tests.recycling.conftest import rec  # noqa: F401

# Wednesday 18 March 2026, 11:00 in Paris: inside the e-mail working hours.
NOW = datetime(2026, 3, 18, 10, 0, tzinfo=UTC)
