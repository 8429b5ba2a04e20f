"""Who may call which endpoint: declared ONCE, used by the access, CSRF and header sweeps.

Every endpoint of the app must have a line in EXPECTATIONS, or the suite fails and
names it. A new endpoint usually needs only `"domain.view": DERIVED` (anonymous
refused, roles read from @role_required). Endpoints whose URL names one person's
object are `OWN`; objects a few others may also see (the agent of the point, admins)
are `only(...)` with the personas allowed. Add a SAMPLES entry for any new URL
parameter, returning an id of an object that belongs to employee A (B asks for it
and must get 404); "endpoint:parameter" keys override a parameter for one endpoint.
INPUTS gives a valid form (POST) or query (GET) for an endpoint: the matrix sends
it to every persona after the empty request, so a refusal is proven on a request
that would change something if it were let through. ALSO names a second object for an
endpoint that answers it differently (a running campaign's edit), with its valid input.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from app.core.time import local_zone, utcnow
from tests.recycling.conftest import local_today

PERSONAS = ("anonymous", "employee_b", "organiser", "agent", "employee_a", "admin")


@dataclass(frozen=True)
class Access:
    kind: str  # public | signed_in | roles | own | only | derived
    roles: tuple[str, ...] = field(default=())
    personas: tuple[str, ...] = field(default=())


PUBLIC = Access("public")  # anyone, signed in or not
SIGNED_IN = Access("signed_in")  # any signed-in person
OWN = Access("own")  # only the owner of the object in the URL (A); others get 404
DERIVED = Access("derived")  # @role_required's roles, else any signed-in person


def roles(*names: str) -> Access:
    return Access("roles", names)


def only(*personas: str) -> Access:
    """Exactly these personas; everyone else gets 403/404 (anonymous: sign in)."""
    return Access("only", personas=personas)


EXPECTATIONS: dict[str, Access] = {
    # core
    "static": PUBLIC,
    "core.privacy": PUBLIC,
    "core.accessibility": PUBLIC,
    "core.healthz": PUBLIC,
    "core.set_language": PUBLIC,
    "core.home": SIGNED_IN,
    "core.dismiss_welcome": DERIVED,  # one's own welcome only: no object in the URL
    "auth.sign_in": PUBLIC,
    "auth.request_sign_in_link": PUBLIC,
    "auth.show_sign_in_link_form": PUBLIC,  # redirects to the sign-in page's link form
    "auth.sign_in_with_link": PUBLIC,  # a token names the person; a wrong one is 404
    "auth.redeem_sign_in_link": PUBLIC,
    "auth.sso_sign_in": PUBLIC,  # 404 without OIDC_ISSUER (tests/auth/test_sso.py)
    "auth.sso_callback": PUBLIC,
    "auth.sign_out": SIGNED_IN,
    "auth.sign_out_everywhere": SIGNED_IN,
    "auth.show_sign_out_everywhere": SIGNED_IN,  # redirects to the profile's devices
    "auth.profile": SIGNED_IN,
    "auth.update_preferences": SIGNED_IN,
    "auth.new_pseudonym": SIGNED_IN,  # draws a new pseudonym for the leaderboards
    "auth.show_preferences": SIGNED_IN,  # redirects to the profile's preferences
    "auth.change_password": SIGNED_IN,
    "auth.show_password": SIGNED_IN,  # redirects to the profile's password
    "auth.create_token": SIGNED_IN,
    "auth.show_tokens": SIGNED_IN,  # redirects to the profile's tokens
    "auth.revoke_token": OWN,
    "auth.export_data": SIGNED_IN,
    "auth.request_erasure": SIGNED_IN,
    "auth.show_erasure": SIGNED_IN,  # redirects to the profile's erasure (both its forms)
    "auth.cancel_erasure": SIGNED_IN,
    "api.openapi": PUBLIC,
    "api.me": SIGNED_IN,
    "privacy_api.export_me": SIGNED_IN,
    # administration
    "admin.audit_log": roles("admin"),
    "admin.audit_log_csv": roles("admin"),
    "admin.roles": roles("admin"),
    "admin.update_role": roles("admin"),
    "admin.person": roles("admin"),
    "admin.set_account_status": roles("admin"),
    "admin.set_staff_number": roles("admin"),
    "admin.export_person_data": roles("admin"),
    "admin.set_department": roles("admin"),
    "admin.export_directory": roles("admin"),
    "admin.directory": roles("admin"),
    "admin.confirm_directory": roles("admin"),
    "admin.departments": roles("admin"),
    "admin.export_departments": roles("admin"),
    "admin.erasures": roles("admin"),
    "admin.execute_erasure": roles("admin"),
    "bench.baseline": PUBLIC,  # constant "ok", no data: the benchmark's floor
    # catalogue: items are shared; requests and basket lines are the requester's
    "catalogue.index": DERIVED,
    "catalogue.show_item": DERIVED,
    "catalogue.simulate_lifetime": DERIVED,
    "catalogue.compare": DERIVED,
    "catalogue.toggle_useful": DERIVED,
    "catalogue.add_to_request": DERIVED,
    "catalogue.my_requests": DERIVED,
    "catalogue.show_request": OWN,
    "catalogue.remove_line": OWN,
    "catalogue.withdraw_request": OWN,
    "catalogue.request_again": OWN,
    "catalogue.submit_request": DERIVED,
    "catalogue.budgets": DERIVED,
    "catalogue.export_csv": PUBLIC,  # open data: figures and sources only
    "catalogue.export_for_spreadsheet": PUBLIC,  # the same, as a spreadsheet opens it
    "catalogue.method": PUBLIC,
    "catalogue.admin_requests": DERIVED,
    "catalogue.decide_request": DERIVED,
    "catalogue.set_budget": DERIVED,
    "catalogue.usefulness": DERIVED,
    "catalogue.new_item": DERIVED,
    "catalogue.edit_item": DERIVED,
    "catalogue.discontinue_item": DERIVED,
    "catalogue.make_item_available": DERIVED,
    "catalogue.import_csv": DERIVED,
    "catalogue.confirm_import": DERIVED,
    "catalogue.budgets_spreadsheet": DERIVED,  # admins: the annual report's budgets
    "catalogue.decided_requests_spreadsheet": DERIVED,  # admins: the year's decisions
    "catalogue_api.list_items": DERIVED,
    "catalogue_api.get_item": DERIVED,
    # clean-up: campaigns are everyone's; a logged action is its author's
    "cleanup.index": DERIVED,
    "cleanup.guides": DERIVED,
    "cleanup.edit_action_type": DERIVED,
    "cleanup.show_campaign": DERIVED,
    "cleanup.log_unit": DERIVED,
    "cleanup.leaderboard": DERIVED,
    "cleanup.results": DERIVED,
    "cleanup.calendar": DERIVED,
    "cleanup.log_action": DERIVED,
    "cleanup.correct_action": OWN,
    "cleanup.delete_action": OWN,
    "cleanup.new_campaign": DERIVED,
    "cleanup.edit_campaign": DERIVED,
    "cleanup.publish_campaign": DERIVED,
    "cleanup.delete_campaign": DERIVED,
    "cleanup.extend_campaign": DERIVED,
    "cleanup.end_campaign_now": DERIVED,
    "cleanup.review": DERIVED,
    "cleanup.review_action": DERIVED,
    "cleanup.accept_listed_entries": DERIVED,  # organisers; only entries they may decide
    "cleanup.results_csv": DERIVED,
    "cleanup.interim_results": DERIVED,  # organisers, a running campaign (the default sample)
    "cleanup.interim_results_csv": DERIVED,
    "cleanup.open_data": DERIVED,
    "cleanup_api.list_campaigns": DERIVED,
    "cleanup_api.get_campaign": DERIVED,
    "cleanup_api.get_leaderboard": DERIVED,
    "cleanup_api.post_action": DERIVED,
    "cleanup_api.get_open_data": DERIVED,  # organisers, as cleanup.open_data
    # recycling: a return is seen by its owner, the agents of its point and admins
    "recycling.index": DERIVED,
    "recycling.map_base": DERIVED,
    "recycling.point_cards": DERIVED,
    "recycling.my_returns": DERIVED,  # the signed-in person's own returns, no id in the URL
    "recycling.poster": DERIVED,
    "recycling.new_return": DERIVED,
    "recycling.create_return": DERIVED,
    "recycling.receipt": only("employee_a", "agent", "admin"),
    "recycling.withdraw_return": OWN,  # the point's agent and admins see it, only A withdraws
    "recycling.count_return_in": OWN,  # only A counts A's return in a campaign
    "recycling.receipt_status": OWN,  # staff read the receipt; only its owner waits for it
    "recycling.agent_desk": DERIVED,
    "recycling.desk_devices_csv": DERIVED,  # an agent's own points only (?point= checked)
    "recycling.agent_return": DERIVED,
    "recycling.agent_return_step": DERIVED,
    "recycling.receive_return": DERIVED,
    "recycling.wipe_return": DERIVED,
    "recycling.outcome_return": DERIVED,
    "recycling.close_not_brought": DERIVED,
    "recycling.undo_receipt": DERIVED,
    "recycling.correct_step": DERIVED,
    # a batch hand-over names one of the agent's points (another point's agent: 404)
    "recycling.handover_page": DERIVED,
    "recycling.record_handover": DERIVED,
    "recycling.handover_slip": DERIVED,
    "recycling.handover_slips": DERIVED,
    # a walk-in is recorded at one of the agent's points (another point's agent: 404)
    "recycling.walk_in_page": DERIVED,
    "recycling.record_walk_in": DERIVED,
    "recycling.admin_points": DERIVED,
    "recycling.edit_point": DERIVED,
    "recycling.close_point": DERIVED,
    "recycling.reopen_point": DERIVED,
    "recycling.statistics": DERIVED,
    "recycling.collective_figures": DERIVED,  # every signed-in employee: totals only
    "recycling.statistics_csv": DERIVED,
    "recycling.statistics_spreadsheet": DERIVED,
    "recycling.statistics_json": DERIVED,
    "recycling.statistics_departments_csv": DERIVED,
    "recycling.statistics_departments": DERIVED,
    "recycling.statistics_wipes": DERIVED,
    "recycling.statistics_departments_spreadsheet": DERIVED,
    "recycling_api.collection_points": DERIVED,
    "recycling_api.create_device_return": DERIVED,
    "recycling_api.get_device_return": only("employee_a", "agent", "admin"),
    "recycling_api.withdraw_device_return": OWN,
    "recycling_api.recycling_statistics": DERIVED,  # agents (their points), as statistics_json
    # messaging: the inbox is its reader's; organisers write and send
    "messaging.index": DERIVED,
    "messaging.mark_read": OWN,
    "messaging.open_message": OWN,
    "messaging.mark_all_read": SIGNED_IN,
    "messaging.delete_message": OWN,
    "messaging.delete_read_messages": SIGNED_IN,
    "messaging.unsubscribe": PUBLIC,  # the signed token in the URL is the proof
    "messaging.undo_unsubscribe": PUBLIC,  # the same token, from the browser that unsubscribed
    "messaging.test_unsubscribe": PUBLIC,  # a test message's link: says it unsubscribes nobody
    "messaging.list_templates": DERIVED,
    "messaging.new_template": DERIVED,
    "messaging.edit_template": DERIVED,
    "messaging.preview_template": DERIVED,
    "messaging.test_template": DERIVED,
    "messaging.restore_template": DERIVED,
    "messaging.delete_template": DERIVED,
    "messaging.audience_size": DERIVED,
    "messaging.clock_change": DERIVED,
    "messaging.schedule_recipients": DERIVED,
    "messaging.schedule": DERIVED,
    "messaging.list_dispatches": DERIVED,
    "messaging.show_dispatch": DERIVED,
    "messaging.cancel_dispatch": DERIVED,
    "messaging.reschedule_dispatch": DERIVED,
    # its author (the organiser) or an admin; another organiser gets 403
    "messaging.resend_unrendered": only("organiser", "admin"),
    "messaging.stop_schedule": DERIVED,
    "messaging_api.my_messages": DERIVED,
    "messaging_api.delete_my_message": OWN,
    "messaging_api.read_my_message": OWN,
    "messaging_api.dispatch_status": roles("organiser"),  # checked in the view
}

# URL parameter name -> function(world) giving a value that points at A's object.
# Unknown integer parameters default to A's user id.
SAMPLES = {
    "filename": lambda world: "css/portal.css",
    "token_id": lambda world: world.a_token_id,
    "request_id": lambda world: world.a_erasure_id,
    "catalogue.show_request:request_id": lambda world: world.ids["request"],
    "catalogue.decide_request:request_id": lambda world: world.ids["request"],
    "catalogue.withdraw_request:request_id": lambda world: world.ids["request"],
    "catalogue.request_again:request_id": lambda world: world.ids["refused_request"],
    "user_id": lambda world: world.a.id,
    "item_id": lambda world: world.ids["item"],
    "catalogue.toggle_useful:item_id": lambda world: world.ids["service"],
    "line_id": lambda world: world.ids["line"],
    "campaign_id": lambda world: world.ids["campaign"],
    "cleanup.edit_campaign:campaign_id": lambda world: world.ids["draft_campaign"],
    "cleanup.edit_action_type:key": lambda world: "delete-mail",
    "cleanup.publish_campaign:campaign_id": lambda world: world.ids["draft_campaign"],
    "cleanup.delete_campaign:campaign_id": lambda world: world.ids["draft_campaign"],
    "cleanup.results:campaign_id": lambda world: world.ids["closed_campaign"],
    "cleanup.results_csv:campaign_id": lambda world: world.ids["closed_campaign"],
    "cleanup.open_data:campaign_id": lambda world: world.ids["closed_campaign"],
    "cleanup_api.get_open_data:campaign_id": lambda world: world.ids["closed_campaign"],
    "action_id": lambda world: world.ids["action"],
    "point_id": lambda world: world.ids["point"],
    "receipt": lambda world: world.ids["receipt"],
    "recycling.agent_return_step:_step": lambda world: "wipe",
    "recycling.wipe_return:receipt": lambda world: world.ids["received_receipt"],
    "recycling.outcome_return:receipt": lambda world: world.ids["unwiped_receipt"],
    "receipt_number": lambda world: world.ids["receipt"],
    "delivery_id": lambda world: world.ids["delivery"],
    "message_id": lambda world: world.ids["delivery"],
    "template_id": lambda world: world.ids["template"],
    "dispatch_id": lambda world: world.ids["dispatch"],
    "schedule_id": lambda world: world.ids["schedule"],
    "token": lambda world: world.ids["unsubscribe"],
}


def _local_input(delta: timedelta) -> str:
    """A datetime-local form value, `delta` from now in Paris time."""
    return (utcnow() + delta).astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


def _template_form(world) -> dict:
    from tests.trust.matrix_world import TEMPLATE

    return {**TEMPLATE, "name": "Hello again", "recipient": world.a.email}


def _return_form(world) -> dict:
    return {
        "collection_point_id": world.ids["point"],
        "device_type": "monitor",
        "condition": "working",
    }


def _polling_window(world) -> dict:
    """The receipt page's polling address: asked again until `until` (a Unix time)."""
    return {"until": str(int((utcnow() + timedelta(minutes=10)).timestamp()))}


# Endpoint -> function(world) giving a valid form (POST) or query string (GET).
INPUTS = {
    "admin.update_role": lambda world: {"change": "grant:organiser"},
    "admin.set_account_status": lambda world: {"change": "deactivate"},
    "admin.set_staff_number": lambda world: {"staff_number": "N-9001"},
    "admin.set_department": lambda world: {"department": ""},
    "catalogue.index": lambda world: {"q": "Item", "kind": "equipment", "sort": "name"},
    "catalogue.compare": lambda world: {"ids": [world.ids["item"], world.ids["service"]]},
    "catalogue.simulate_lifetime": lambda world: {"years": "6"},
    "catalogue.add_to_request": lambda world: {"quantity": "1"},
    # The Remove button sends the request's comment with it: kept only on A's own removal.
    "catalogue.remove_line": lambda world: {"comment": "Keep this note"},
    "catalogue.submit_request": lambda world: {"comment": "For the new team"},
    "catalogue.decide_request": lambda world: {"decision": "approve", "note": "OK"},
    "catalogue.set_budget": lambda world: {
        "department_id": world.a.department_id,
        "year": "2026",
        "budget_kgco2e": "1000",
    },
    "cleanup.leaderboard": lambda world: {"scope": "departments", "order": "per_head"},
    "cleanup.log_action": lambda world: {"action_type": "delete-mail", "quantity": "1"},
    # A new campaign's form filled from another (its page's « Prepare a new campaign… »).
    "cleanup.new_campaign": lambda world: {"from": world.ids["closed_campaign"]},
    "cleanup.log_unit": lambda world: {"action_type": "unsubscribe"},
    "cleanup.correct_action": lambda world: {"quantity": "2"},
    "cleanup.extend_campaign": lambda world: {"ends_at": _local_input(timedelta(days=30))},
    "cleanup.end_campaign_now": lambda world: {"reason": "Server migrated earlier"},
    "cleanup.review_action": lambda world: {"decision": "reject", "reason": "Duplicate"},
    "cleanup.accept_listed_entries": lambda world: {"entry": str(world.ids["action"])},
    "cleanup_api.post_action": lambda world: {"action_type": "delete-mail", "quantity": "1"},
    "recycling.index": lambda world: {"lat": "44.84", "lon": "-0.58"},
    "recycling.create_return": _return_form,
    "recycling_api.create_device_return": _return_form,
    "recycling.wipe_return": lambda world: {
        "method": "software_overwrite",
        "wipe_date": local_today(),
        "certificate_number": "CERT-1",
    },
    "recycling.outcome_return": lambda world: {"outcome": "reused", "note": "Team B"},
    "recycling.close_point": lambda world: {"closure_note": "Works"},
    "recycling.handover_page": lambda world: {"point": world.ids["point"]},
    "recycling.desk_devices_csv": lambda world: {"point": world.ids["point"]},
    "recycling.record_handover": lambda world: {
        "receipts": [world.ids["unwiped_receipt"]],
        "recipient": "Ecologic",
        "handover_slip": "BX-1",
        "outcome": "recycled",
    },
    "recycling.handover_slip": lambda world: {"slip": "BX-1"},
    "recycling.walk_in_page": lambda world: {"point": world.ids["point"]},
    "recycling.record_walk_in": lambda world: {"device_type": "monitor", "condition": "working"},
    "recycling.receipt_status": _polling_window,
    "messaging.edit_template": _template_form,
    "messaging.preview_template": _template_form,
    "messaging.test_template": lambda world: {**_template_form(world), "language": "fr"},
    "messaging.audience_size": lambda world: {"audience": "everyone"},
    "messaging.clock_change": lambda world: {"kind": "cron", "repeat": "daily", "time": "02:30"},
    "messaging.schedule_recipients": lambda world: {"template": world.ids["template"]},
    "messaging.schedule": lambda world: {
        "template": world.ids["template"],
        "audience": "everyone",
        "kind": "now",
    },
}


def _wording_form(world) -> dict:
    """A valid correction of the running campaign's names and descriptions."""
    from app.cleanup.models import CleanupCampaign
    from app.cleanup.services import campaign_version
    from app.extensions import db

    campaign = db.session.get(CleanupCampaign, world.ids["campaign"])
    return {
        "name_fr": "Nettoyage corrigé",
        "name_en": "Corrected clean-up",
        "description_fr": "Corrigée",
        "description_en": "Corrected",
        "version": campaign_version(campaign),
    }


# Endpoint -> function(world) giving [(URL parameters, valid input)]: other objects the
# matrix checks the same way, after the SAMPLES one.
ALSO = {
    # A running campaign's edit changes its names and descriptions only (organisers).
    "cleanup.edit_campaign": lambda world: [
        ({"campaign_id": world.ids["campaign"]}, None),
        ({"campaign_id": world.ids["campaign"]}, _wording_form(world)),
    ],
}
