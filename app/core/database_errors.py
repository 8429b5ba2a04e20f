"""A database out of reach, told in one line: for a log, a `flask` command, a warm-up.

A database that cannot be reached (its host unknown, nothing listening on its port, a
password refused) is an operator's problem, not a bug: a traceback of 150 lines hid the
one line that says what to fix. SQLAlchemy's own message adds the statement and its
parameters (an address, a token's digest), which no log should keep either.
"""

from sqlalchemy.exc import DBAPIError, OperationalError


def is_unreachable(error: BaseException) -> bool:
    """Whether `error` is the database out of reach: an OperationalError raised while
    connecting, before any statement was sent (a failing statement is another matter)."""
    return isinstance(error, OperationalError) and error.statement is None


def database_problem(error: DBAPIError) -> str:
    """The driver's first line about `error` (`… failed: Connection refused`, `failed to
    resolve host '…'`), or its class when it said nothing: never the statement or its
    parameters."""
    cause = error.orig if error.orig is not None else error
    lines = str(cause).strip().splitlines()
    return lines[0].strip() if lines else type(cause).__name__
