"""Catalogue JSON API: items with their label, figures and sources."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import login_required

from app.api import ApiError, api_blueprint, field_error, page_links, page_number
from app.catalogue import footprint, queries
from app.catalogue.forms import MAX_QUERY
from app.core.i18n import current_language

bp = api_blueprint("catalogue_api", __name__)

CATEGORY_SCHEMA = {"type": "string", "enum": sorted(footprint.THRESHOLDS)}
ITEM_SCHEMA = {
    "type": "object",
    "required": [
        "id",
        "kind",
        "category",
        "name",
        "grade",
        "embodied_kgco2e",
        "use_kgco2e_per_year",
        "lifetime_years",
        "annual_kgco2e",
        "source",
    ],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "kind": {"type": "string", "enum": list(footprint.KINDS)},
        "category": {"type": "string"},
        "name": {"type": "string", "description": "In the request's locale"},
        "status": {"type": "string", "enum": ["available", "discontinued"]},
        "grade": {"type": "string", "enum": list(footprint.GRADES)},
        "embodied_kgco2e": {"type": "number", "nullable": True},
        "embodied_min_kgco2e": {"type": "number", "nullable": True},
        "embodied_max_kgco2e": {"type": "number", "nullable": True},
        "use_kwh_per_year": {"type": "number", "nullable": True},
        "use_kwh_min": {"type": "number", "nullable": True},
        "use_kwh_max": {"type": "number", "nullable": True},
        "use_kgco2e_per_year": {"type": "number", "nullable": True},
        "lifetime_years": {"type": "number", "nullable": True},
        "annual_kgco2e": {"type": "number"},
        "source": {"type": "string"},
        "source_url": {"type": "string"},
        "estimate": {"type": "boolean"},
        "contested": {"type": "boolean"},
    },
}
ITEM_DETAIL_SCHEMA = {
    "allOf": [
        {"$ref": "#/components/schemas/CatalogueItem"},
        {
            "type": "object",
            "required": ["description", "alternatives"],
            "properties": {
                "description": {"type": "string"},
                "alternatives": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/CatalogueItem"},
                },
            },
        },
    ]
}
ITEM_PAGE_SCHEMA = {
    "type": "object",
    "required": ["items", "total", "page", "links"],
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/CatalogueItem"}},
        "total": {"type": "integer"},
        "page": {"type": "integer"},
        "links": {"$ref": "#/components/schemas/PageLinks"},
    },
}


def item_json(item, locale: str) -> dict:
    return {
        "id": item.id,
        "code": item.code,
        "kind": item.kind,
        "category": item.category,
        "name": item.name(locale),
        "status": item.status,
        "grade": item.grade,
        "embodied_kgco2e": item.embodied_kgco2e,
        "embodied_min_kgco2e": item.embodied_min_kgco2e,
        "embodied_max_kgco2e": item.embodied_max_kgco2e,
        "use_kwh_per_year": item.use_kwh_per_year,
        "use_kwh_min": item.use_kwh_min,
        "use_kwh_max": item.use_kwh_max,
        "use_kgco2e_per_year": item.use_kgco2e_per_year,
        "lifetime_years": item.lifetime_years,
        "annual_kgco2e": item.annual_kgco2e,
        "source": item.source,
        "source_url": item.source_url,
        "estimate": item.estimate,
        "contested": item.contested,
    }


def _unknown(name: str, value: str, allowed: str) -> str:
    """Why a filter's value is refused, the whole sentence in the caller's language."""
    if name == "kind":
        return _("Unknown kind: %(value)s (one of %(allowed)s).", value=value, allowed=allowed)
    if name == "category":
        return _("Unknown category: %(value)s (one of %(allowed)s).", value=value, allowed=allowed)
    return _("Unknown grade: %(value)s (one of %(allowed)s).", value=value, allowed=allowed)


def _choice(name: str, allowed) -> str:
    value = request.args.get(name, "")
    if value and value not in allowed:
        listed = ", ".join(sorted(allowed))
        raise field_error(422, "invalid_" + name, name, _unknown(name, value[:40], listed))
    return value


@bp.get("/catalogue/items")
@login_required
def list_items():
    """Catalogue items with their label.
    ---
    get:
      summary: Search catalogue items (available ones)
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: kind, in: query, schema: {type: string, enum: [equipment, service]}}
        - {name: category, in: query, schema: {$ref: '#/components/schemas/CatalogueCategory'}, description: "an equipment (DEVICE_TYPES) or service category"}
        - {name: q, in: query, schema: {type: string, maxLength: 100}, description: "text search in both languages"}
        - {name: grade, in: query, schema: {type: string, enum: [A, B, C, D, E, F, G]}}
        - {name: page, in: query, schema: {type: integer, minimum: 1, maximum: 100000}}
      responses:
        200:
          description: One page of 25 items
          content:
            application/json:
              schema: {$ref: '#/components/schemas/CatalogueItemPage'}
        401: {$ref: '#/components/responses/Unauthorized'}
        422: {$ref: '#/components/responses/Invalid'}
    """
    kind = _choice("kind", footprint.KINDS)
    category = _choice("category", footprint.THRESHOLDS)
    grade = _choice("grade", tuple(footprint.GRADES))
    q = request.args.get("q", "").strip()
    if len(q) > MAX_QUERY:
        message = _("The search is too long (at most %(max)d characters).", max=MAX_QUERY)
        raise field_error(422, "invalid_q", "q", message)
    page = page_number(request.args.get("page"))
    locale = current_language()
    items, total = queries.search_items(
        queries.Filters(q=q, kind=kind, category=category, grade=grade), page, locale
    )
    return jsonify(
        {
            "items": [item_json(i, locale) for i in items],
            "total": total,
            "page": page,
            "links": page_links(page, queries.PER_PAGE, total),
        }
    )


@bp.get("/catalogue/items/<int:item_id>")
@login_required
def get_item(item_id: int):
    """One catalogue item with its alternatives.
    ---
    get:
      summary: One catalogue item with its lower-footprint alternatives
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
      responses:
        200:
          description: The item
          content:
            application/json:
              schema: {$ref: '#/components/schemas/CatalogueItemDetail'}
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
    """
    item = queries.get_item(item_id)
    if item is None:
        raise ApiError(404, "not_found", _("This item does not exist."))
    locale = current_language()
    body = item_json(item, locale)
    body["description"] = item.description(locale)
    body["alternatives"] = [item_json(a, locale) for a in item.alternatives]
    return jsonify(body)
