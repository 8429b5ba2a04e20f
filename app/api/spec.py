"""The OpenAPI document, built from the docstrings of every /api/v1 view."""

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import current_app

from app.api import API_PREFIX

SCHEMA_REF = "#/components/schemas/"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {
                    "type": "object",
                    "description": "An error about fields of the request (`invalid_input`, "
                    "`unknown_fields`, `duplicate_fields`, and those with their own code: "
                    "`invalid_quantity`, `unknown_action`, "
                    "`cap_reached`, `asset_tag_taken`, a catalogue filter's "
                    "`invalid_<parameter>`, a query's `invalid_page`, `invalid_scope`, "
                    "`invalid_order`…): each field's name → its messages. A 409 `asset_tag_declared` gives the "
                    "return declared first instead (see that operation).",
                    "additionalProperties": True,
                },
            },
        }
    },
}


# The person as the API shows them to themselves (`/me`, and the export's profile).
USER_REQUIRED = ["id", "email", "display_name", "pseudonym", "roles"]
USER_PROPERTIES = {
    "id": {"type": "integer"},
    "email": {"type": "string"},
    "display_name": {"type": "string"},
    "pseudonym": {"type": "string"},
    "locale": {"type": "string", "nullable": True},
    "roles": {"type": "array", "items": {"type": "string"}},
    "department": {"type": "string", "nullable": True},
    "commune": {"type": "string", "nullable": True},
    "leaderboard_visibility": {"type": "string"},
}


# Every paginated list's `links` (app.api.page_links): root-relative URLs keeping the
# request's other query arguments.
PAGE_LINKS_SCHEMA = {
    "type": "object",
    "required": ["next", "previous"],
    "properties": {
        "next": {
            "type": "string",
            "nullable": True,
            "description": "The next page, the other query arguments kept; null on the last",
            "example": "/api/v1/catalogue/items?kind=service&page=2",
        },
        "previous": {
            "type": "string",
            "nullable": True,
            "description": "The previous page (past the end, the last one), the other query "
            "arguments kept; null on the first",
            "example": "/api/v1/catalogue/items?kind=service&page=1",
        },
    },
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def build_openapi() -> dict:
    """Walk the URL map and document each API view that has a YAML docstring."""
    app = current_app
    cached = app.extensions.get("empreinte.openapi")
    if cached is not None:
        return cached
    spec = APISpec(
        title="Empreinte API",
        version="1",
        openapi_version="3.0.3",
        plugins=[FlaskPlugin()],
        info={"description": "Employee engagement portal for responsible digital practice."},
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token. A read-only one may only GET (HEAD, OPTIONS): "
            "any other method gets a 403 `read_only_token`.",
        },
    )
    spec.components.security_scheme(
        "cookieAuth", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    spec.components.schema("Error", ERROR_SCHEMA)
    spec.components.schema("PageLinks", PAGE_LINKS_SCHEMA)
    spec.components.schema(
        "Me",
        {
            "type": "object",
            "required": USER_REQUIRED,
            "properties": USER_PROPERTIES | {"email_opt_in": {"type": "boolean"}},
        },
    )
    for _status, name, text in (
        (400, "BadRequest", "The request is malformed"),
        (
            401,
            "Unauthorized",
            "Sign-in or a valid bearer token is required (`WWW-Authenticate: Bearer`)",
        ),
        (403, "Forbidden", "The caller may not do this"),
        (404, "NotFound", "No such object"),
        (409, "Conflict", "The request conflicts with the current state"),
        (413, "PayloadTooLarge", "The request body is larger than the portal accepts"),
        (
            415,
            "UnsupportedMediaType",
            "The request has a body that is not JSON: send it as application/json (or "
            "application/*+json), a charset allowed",
        ),
        (
            422,
            "Invalid",
            "Some fields are not valid; on a write, also a body that is not a flat JSON "
            "object (`invalid_body`), holds a field the operation does not list "
            "(`unknown_fields`, each named in `details`; an operation without a request "
            "body takes no field) or gives a field twice (`duplicate_fields`)",
        ),
        (
            429,
            "RateLimited",
            "Too many requests from this person, every operation of the API counted "
            "together (API_RATE_LIMIT), or, for a write, too many to this operation from "
            "this person (WRITE_RATE_LIMIT, as the web forms; only writes that reached "
            "their operation count); retry after the seconds Retry-After gives",
        ),
    ):
        spec.components.response(name, _error(text))
    for schema_name, schema in app.extensions.get("empreinte.api_schemas", {}).items():
        spec.components.schema(schema_name, schema)

    seen = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX) or rule.endpoint in seen:
            continue
        view = app.view_functions[rule.endpoint]
        if "---" not in (view.__doc__ or ""):
            continue
        seen.add(rule.endpoint)
        spec.path(view=view, app=app)
    document = spec.to_dict()
    # Answers any operation can give, whatever its own docstring says: 429, as every API
    # blueprint is rate-limited (app.api.api_blueprint); 400, as a U+0000 anywhere in the
    # query or the body is refused before any view runs (app/core/security.py); 413, as a
    # body over the portal's limit is refused before it is read (MAX_CONTENT_LENGTH); and
    # 403 on every write, refused to a read-only token before any view runs (the same file);
    # on every write, even one that needs no body, a body sent is checked the same way
    # (app.api.check_json_body): 415 when it is not JSON, 422 when not a flat object, when
    # it holds a field the operation does not list or gives one twice; so each write's
    # body schema gets `additionalProperties: false`.
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if method not in ("get", "head", "options"):
                responses.setdefault("403", {"$ref": "#/components/responses/Forbidden"})
                responses.setdefault("415", {"$ref": "#/components/responses/UnsupportedMediaType"})
                responses.setdefault("422", {"$ref": "#/components/responses/Invalid"})
            responses.setdefault("400", {"$ref": "#/components/responses/BadRequest"})
            responses.setdefault("413", {"$ref": "#/components/responses/PayloadTooLarge"})
            responses.setdefault("429", {"$ref": "#/components/responses/RateLimited"})
            if method not in ("get", "head", "options"):
                _close_request_body(document, operation)
    app.extensions["empreinte.openapi"] = document
    return document


def _body_schema(document: dict, operation: dict) -> tuple[dict | None, str | None]:
    """A write's JSON body schema and, when it is a $ref, the component's name."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is None:
        return None, None
    schema = body.get("schema", {})
    ref = schema.get("$ref", "")
    if ref.startswith(SCHEMA_REF):
        name = ref.removeprefix(SCHEMA_REF)
        return document["components"]["schemas"][name], name
    return schema, None


def _close_request_body(document: dict, operation: dict) -> None:
    """Say in the document what the API enforces (app.api.check_json_body): a write's body
    holds its listed properties and no other (`additionalProperties: false`)."""
    schema, name = _body_schema(document, operation)
    if schema is None or "additionalProperties" in schema:
        return
    closed = {**schema, "additionalProperties": False}  # the domain's dict stays its own
    if name is None:
        operation["requestBody"]["content"]["application/json"]["schema"] = closed
    else:
        document["components"]["schemas"][name] = closed


def accepted_fields(rule: str, method: str) -> tuple[str, ...] | None:
    """The fields a write's body may hold, as the OpenAPI document lists them: none for an
    operation without a request body, None for an address the document does not describe."""
    app = current_app
    index = app.extensions.get("empreinte.api_fields")
    if index is None:
        document = build_openapi()
        index = {}
        for path, operations in document.get("paths", {}).items():
            for verb, operation in operations.items():
                schema, _name = _body_schema(document, operation)
                index[path, verb] = tuple((schema or {}).get("properties", {}))
        app.extensions["empreinte.api_fields"] = index
    return index.get((FlaskPlugin.flaskpath2openapi(rule), method.lower()))


def register_schema(app, name: str, schema: dict) -> None:
    """Let a domain add a named component schema its views reference with $ref."""
    app.extensions.setdefault("empreinte.api_schemas", {})[name] = schema
