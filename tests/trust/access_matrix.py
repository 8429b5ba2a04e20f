"""Who may call which endpoint: declared ONCE, used by the access, CSRF and header sweeps.

Every endpoint of the app must have a line in EXPECTATIONS, or the suite fails and
names it. A new endpoint usually needs only `"domain.view": DERIVED` (anonymous
refused, roles read from @role_required). Endpoints whose URL names one person's
object are `OWN`; add a SAMPLES entry for any new URL parameter, returning an id
of an object that belongs to employee A (B asks for it and must get 404).
"""

from dataclasses import dataclass, field

PERSONAS = ("anonymous", "employee_b", "organiser", "agent", "employee_a", "admin")


@dataclass(frozen=True)
class Access:
    kind: str  # public | signed_in | roles | own | derived
    roles: tuple[str, ...] = field(default=())


PUBLIC = Access("public")  # anyone, signed in or not
SIGNED_IN = Access("signed_in")  # any signed-in person
OWN = Access("own")  # only the owner of the object in the URL (A); others get 404
DERIVED = Access("derived")  # @role_required's roles, else any signed-in person


def roles(*names: str) -> Access:
    return Access("roles", names)


EXPECTATIONS: dict[str, Access] = {
    # core
    "static": PUBLIC,
    "core.privacy": PUBLIC,
    "core.healthz": PUBLIC,
    "core.set_language": PUBLIC,
    "core.home": SIGNED_IN,
    "auth.sign_in": PUBLIC,
    "auth.sign_out": SIGNED_IN,
    "auth.profile": SIGNED_IN,
    "auth.update_preferences": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.create_token": SIGNED_IN,
    "auth.revoke_token": OWN,
    "auth.export_data": SIGNED_IN,
    "auth.request_erasure": SIGNED_IN,
    "auth.cancel_erasure": SIGNED_IN,
    "api.openapi": PUBLIC,
    "api.me": SIGNED_IN,
    "privacy_api.export_me": SIGNED_IN,
    # administration
    "admin.audit_log": roles("admin"),
    "admin.audit_log_csv": roles("admin"),
    "admin.roles": roles("admin"),
    "admin.update_role": roles("admin"),
    "admin.erasures": roles("admin"),
    "admin.execute_erasure": roles("admin"),
    # domains: one line per endpoint
    "catalogue.index": DERIVED,
    "cleanup.index": DERIVED,
    "recycling.index": DERIVED,
    "messaging.index": DERIVED,
}

# URL parameter name -> function(world) giving a value that points at A's object.
# Unknown integer parameters default to A's user id.
SAMPLES = {
    "filename": lambda world: "css/portal.css",
    "token_id": lambda world: world.a_token_id,
    "request_id": lambda world: world.a_erasure_id,
    "user_id": lambda world: world.a.id,
}
