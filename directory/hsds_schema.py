"""A TRANSCRIPTION of the HSDS 3.0 compiled ``service`` schema, for validating our export.

No PyPI or npm package ships the official Open Referral HSDS 3.0 JSON schema (checked:
``hsds-validator`` needs Python ≥ 3.13 and carries no schema files, ``hsds-data-tool``
holds pandera table schemas of an older version, and the npm ``hsds`` packages are an
unrelated design system). The official files live in the openreferral/specification
repository (tag v3.0, ``schema/*.json`` and ``schema/compiled/service.json``); they are
not vendored here. Instead this module writes the structural rules of that
specification down by hand: for every object the compiled service nests, the
properties with their JSON types, ``format`` (uuid, uri, email, date-time), ``enum``
values and the ``required`` lists of HSDS 3.0. Descriptions, examples and the
tabular-data metadata of the official files are left out, because they do not
constrain documents.

``strict=True`` additionally forbids properties the specification does not define
(``additionalProperties: false``). The official schema allows them; we use it to
catch misspelt field names in our own export.
"""

from __future__ import annotations

from typing import Any

S = {"type": "string"}
UUID = {"type": "string", "format": "uuid"}
URI = {"type": "string", "format": "uri"}
EMAIL = {"type": "string", "format": "email"}
NUM = {"type": "number"}
LOCATION_TYPES = ["physical", "postal", "virtual"]


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _array(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


# entity → (required, properties) as in the HSDS 3.0 schema files.
ENTITIES: dict[str, tuple[list[str], dict[str, Any]]] = {
    "service": (
        ["id", "name", "status"],
        {
            "id": UUID,
            "organization_id": UUID,
            "program_id": UUID,
            "name": S,
            "alternate_name": S,
            "description": S,
            "url": URI,
            "email": EMAIL,
            "status": {
                "type": "string",
                "enum": ["active", "inactive", "defunct", "temporarily closed"],
            },
            "interpretation_services": S,
            "application_process": S,
            "fees_description": S,
            "wait_time": S,
            "fees": S,
            "accreditations": S,
            "eligibility_description": S,
            "minimum_age": NUM,
            "maximum_age": NUM,
            "assured_date": S,
            "assurer_email": EMAIL,
            "licenses": S,
            "alert": S,
            "last_modified": {"type": "string", "format": "date-time"},
            "phones": _array("phone"),
            "schedules": _array("schedule"),
            "service_areas": _array("service_area"),
            "service_at_locations": _array("service_at_location"),
            "languages": _array("language"),
            "organization": _ref("organization"),
            "funding": _array("funding"),
            "cost_options": _array("cost_option"),
            "program": _ref("program"),
            "required_documents": _array("required_document"),
            "contacts": _array("contact"),
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "organization": (
        ["id", "name", "description"],
        {
            "id": UUID,
            "name": S,
            "alternate_name": S,
            "description": S,
            "email": EMAIL,
            "website": URI,
            "tax_status": S,
            "tax_id": S,
            "year_incorporated": NUM,
            "legal_status": S,
            "logo": S,
            "uri": URI,
            "parent_organization_id": UUID,
            "funding": _array("funding"),
            "contacts": _array("contact"),
            "phones": _array("phone"),
            "locations": _array("location"),
            "programs": _array("program"),
            "organization_identifiers": _array("organization_identifier"),
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "service_at_location": (
        ["id"],
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "description": S,
            "contacts": _array("contact"),
            "phones": _array("phone"),
            "schedules": _array("schedule"),
            "location": _ref("location"),
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "location": (
        ["id", "location_type"],
        {
            "id": UUID,
            "location_type": {"type": "string", "enum": LOCATION_TYPES},
            "url": URI,
            "organization_id": UUID,
            "name": S,
            "alternate_name": S,
            "description": S,
            "transportation": S,
            "latitude": NUM,
            "longitude": NUM,
            "external_identifier": S,
            "external_identifier_type": S,
            "languages": _array("language"),
            "addresses": _array("address"),
            "contacts": _array("contact"),
            "accessibility": _array("accessibility"),
            "phones": _array("phone"),
            "schedules": _array("schedule"),
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "address": (
        ["id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
        {
            "id": UUID,
            "location_id": UUID,
            "attention": S,
            "address_1": S,
            "address_2": S,
            "city": S,
            "region": S,
            "state_province": S,
            "postal_code": S,
            "country": S,
            "address_type": {"type": "string", "enum": LOCATION_TYPES},
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "accessibility": (
        ["id"],
        {
            "id": UUID,
            "location_id": UUID,
            "description": S,
            "details": S,
            "url": URI,
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "contact": (
        ["id"],
        {
            "id": UUID,
            "organization_id": UUID,
            "service_id": UUID,
            "service_at_location_id": UUID,
            "location_id": UUID,
            "name": S,
            "title": S,
            "department": S,
            "email": EMAIL,
            "phones": _array("phone"),
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "phone": (
        ["id", "number"],
        {
            "id": UUID,
            "location_id": UUID,
            "service_id": UUID,
            "organization_id": UUID,
            "contact_id": UUID,
            "service_at_location_id": UUID,
            "number": S,
            "extension": NUM,
            "type": S,
            "description": S,
            "languages": _array("language"),
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "schedule": (
        ["id"],
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "service_at_location_id": UUID,
            "valid_from": S,
            "valid_to": S,
            "dtstart": S,
            "timezone": NUM,
            "until": S,
            "count": NUM,
            "wkst": {"type": "string", "enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]},
            "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
            "interval": NUM,
            "byday": S,
            "byweekno": S,
            "bymonthday": S,
            "byyearday": S,
            "description": S,
            "opens_at": S,
            "closes_at": S,
            "schedule_link": URI,
            "attending_type": S,
            "notes": S,
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "language": (
        ["id"],
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "phone_id": UUID,
            "name": S,
            "code": S,
            "note": S,
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "cost_option": (
        ["id"],
        {
            "id": UUID,
            "service_id": UUID,
            "valid_from": S,
            "valid_to": S,
            "option": S,
            "currency": S,
            "amount": NUM,
            "amount_description": S,
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "attribute": (
        ["id"],
        {
            "id": UUID,
            "link_id": UUID,
            "taxonomy_term_id": UUID,
            "link_type": S,
            "link_entity": S,
            "value": S,
            "taxonomy_term": _ref("taxonomy_term"),
            "metadata": _array("metadata"),
        },
    ),
    "taxonomy_term": (
        ["id", "name", "description"],
        {
            "id": UUID,
            "code": S,
            "name": S,
            "description": S,
            "parent_id": UUID,
            "taxonomy": S,
            "taxonomy_detail": _ref("taxonomy"),
            "language": S,
            "taxonomy_id": UUID,
            "term_uri": URI,
            "metadata": _array("metadata"),
        },
    ),
    "taxonomy": (
        ["id", "name", "description"],
        {
            "id": UUID,
            "name": S,
            "description": S,
            "uri": URI,
            "version": S,
            "metadata": _array("metadata"),
        },
    ),
    "service_area": (
        ["id"],
        {
            "id": UUID,
            "service_id": UUID,
            "name": S,
            "description": S,
            "extent": S,
            "extent_type": S,
            "uri": S,
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "funding": (
        ["id"],
        {
            "id": UUID,
            "organization_id": UUID,
            "service_id": UUID,
            "source": S,
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "program": (
        ["id", "name", "description"],
        {
            "id": UUID,
            "organization_id": UUID,
            "name": S,
            "alternate_name": S,
            "description": S,
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "required_document": (
        ["id"],
        {
            "id": UUID,
            "service_id": UUID,
            "document": S,
            "uri": URI,
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "organization_identifier": (
        ["id", "identifier_type", "identifier"],
        {
            "id": UUID,
            "organization_id": UUID,
            "identifier_scheme": S,
            "identifier_type": S,
            "identifier": S,
            "attributes": _array("attribute"),
            "metadata": _array("metadata"),
        },
    ),
    "metadata": (
        [
            "id",
            "last_action_date",
            "last_action_type",
            "field_name",
            "previous_value",
            "replacement_value",
            "updated_by",
        ],
        {
            "id": UUID,
            "resource_id": UUID,
            "resource_type": S,
            "last_action_date": S,
            "last_action_type": S,
            "field_name": S,
            "previous_value": S,
            "replacement_value": S,
            "updated_by": S,
        },
    ),
}


def compiled_service_schema(*, strict: bool = False) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one compiled HSDS 3.0 ``service`` object."""
    defs = {}
    for name, (required, properties) in ENTITIES.items():
        definition: dict[str, Any] = {
            "type": "object",
            "required": list(required),
            "properties": properties,
        }
        if strict:
            definition["additionalProperties"] = False
        defs[name] = definition
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "HSDS 3.0 compiled service (transcription)",
        "$ref": "#/$defs/service",
        "$defs": defs,
    }


def service_list_schema(*, strict: bool = False) -> dict[str, Any]:
    """The export document: a JSON array of compiled services."""
    schema = compiled_service_schema(strict=strict)
    return {
        "$schema": schema["$schema"],
        "title": "HSDS 3.0 service list (transcription)",
        "type": "array",
        "items": {"$ref": "#/$defs/service"},
        "$defs": schema["$defs"],
    }
