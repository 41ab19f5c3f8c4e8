"""Open Referral HSDS 3.0: compile offers into ``service`` objects.

The compiled form follows ``schema/compiled/service.json`` of the HSDS 3.0 specification:
a service with its ``organization``, ``service_at_locations`` (each with its nested
``location`` and ``addresses``), ``contacts``, ``phones``, ``schedules``, ``languages``
and ``attributes`` (target groups as taxonomy terms) nested. Ids are UUIDs; those of
records that have no row of their own here (organization of a free-text provider,
location, contact, phone) are UUIDv5 derived from the service's UUID, so an export is
stable from run to run and a consumer can update instead of duplicating.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from directory.constants import LANGUAGES, TARGET_GROUP_TAXONOMY
from directory.models import Service

NAMESPACE = uuid.UUID("8a1d2b0e-6f0c-5d35-9a57-4b7e0c3d9f21")
_LANGUAGE_NAMES = {code: str(label) for code, label in LANGUAGES}


def _uid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _organization(service: Service) -> dict[str, Any]:
    if service.provider_id:
        inst = service.provider
        org: dict[str, Any] = {
            "id": _uid("institution", inst.pk),
            "name": inst.name,
            "description": str(inst.get_institution_type_display()),
        }
        if inst.email:
            org["email"] = inst.email
        if inst.website:
            org["website"] = inst.website
        if inst.parent_id:
            org["parent_organization_id"] = _uid("institution", inst.parent_id)
        return org
    name = service.provider_name or service.name
    return {
        "id": _uid("provider", service.municipality_id, name),
        "name": name,
        "description": name,
    }


def _phone(service: Service, owner: str) -> dict[str, Any]:
    return {"id": _uid(service.code, owner, "phone"), "number": service.phone, "type": "voice"}


def _schedules(service: Service, location_id: str | None) -> list[dict[str, Any]]:
    out = []
    for s in service.schedules.all():
        item: dict[str, Any] = {
            "id": _uid(service.code, "schedule", s.pk),
            "service_id": str(service.code),
            "freq": "WEEKLY",
            "interval": 1,
            "wkst": "MO",
            "byday": s.weekday,
            "opens_at": s.opens_at.strftime("%H:%M"),
            "closes_at": s.closes_at.strftime("%H:%M"),
        }
        if s.note:
            item["notes"] = s.note
        if location_id:
            item["location_id"] = location_id
        out.append(item)
    if not out and service.opening_hours:
        out.append(
            {
                "id": _uid(service.code, "schedule", "text"),
                "service_id": str(service.code),
                "description": service.opening_hours,
            }
        )
    return out


def service_to_hsds(service: Service) -> dict[str, Any]:
    """One compiled HSDS 3.0 ``service`` object."""
    code = str(service.code)
    organization = _organization(service)
    doc: dict[str, Any] = {
        "id": code,
        "organization_id": organization["id"],
        "name": service.name,
        "description": service.description or service.name,
        "status": service.status,
        "assured_date": service.last_confirmed_on.isoformat(),
        "last_modified": service.updated_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "organization": organization,
    }
    if service.website:
        doc["url"] = service.website
    if service.email:
        doc["email"] = service.email
    if service.min_age is not None:
        doc["minimum_age"] = service.min_age
    if service.max_age is not None:
        doc["maximum_age"] = service.max_age
    doc["fees_description"] = service.fees_description or (
        "kostenfrei" if service.is_free else "kostenpflichtig"
    )
    groups = list(service.target_groups.all())
    if groups:
        doc["eligibility_description"] = ", ".join(t.name for t in groups)
    doc["cost_options"] = [
        {
            "id": _uid(code, "cost"),
            "service_id": code,
            "option": "kostenfrei" if service.is_free else "kostenpflichtig",
            "currency": "EUR",
            **({"amount": 0} if service.is_free else {}),
            **(
                {"amount_description": service.fees_description} if service.fees_description else {}
            ),
        }
    ]
    doc["languages"] = [
        {
            "id": _uid(code, "language", lang),
            "service_id": code,
            "name": _LANGUAGE_NAMES.get(lang, lang),
            "code": lang,
        }
        for lang in service.language_codes
    ]
    doc["attributes"] = [
        {
            "id": _uid(code, "attribute", term.code),
            "link_id": code,
            "link_type": "target_group",
            "link_entity": "service",
            "taxonomy_term_id": str(term.code),
            "taxonomy_term": {
                "id": str(term.code),
                "code": term.slug,
                "name": term.name,
                "description": term.name,
                "taxonomy": TARGET_GROUP_TAXONOMY,
            },
        }
        for term in groups
    ]
    location_id = None
    if service.street or service.location_name or service.latitude is not None:
        location_id = _uid(code, "location")
        location: dict[str, Any] = {
            "id": location_id,
            "location_type": "physical",
            "organization_id": organization["id"],
            "name": service.location_name or service.name,
        }
        if service.latitude is not None and service.longitude is not None:
            location["latitude"] = float(service.latitude)
            location["longitude"] = float(service.longitude)
        if service.accessibility or service.wheelchair_accessible:
            location["accessibility"] = [
                {
                    "id": _uid(code, "accessibility"),
                    "location_id": location_id,
                    "description": service.accessibility
                    or ("rollstuhlgerecht" if service.wheelchair_accessible else ""),
                    **({"details": "rollstuhlgerecht"} if service.wheelchair_accessible else {}),
                }
            ]
        if service.street and service.city and service.postcode:
            location["addresses"] = [
                {
                    "id": _uid(code, "address"),
                    "location_id": location_id,
                    "address_1": service.street,
                    "city": service.city,
                    "region": service.district,
                    "state_province": service.municipality.state.name
                    if service.municipality.state_id
                    else "",
                    "postal_code": service.postcode,
                    "country": "DE",
                    "address_type": "physical",
                }
            ]
        doc["service_at_locations"] = [
            {
                "id": _uid(code, "service_at_location"),
                "service_id": code,
                "location_id": location_id,
                "location": location,
            }
        ]
    else:
        doc["service_at_locations"] = []
    doc["phones"] = [_phone(service, "service") | {"service_id": code}] if service.phone else []
    contacts = []
    if service.contact_name or service.email:
        contact_id = _uid(code, "contact")
        contact: dict[str, Any] = {"id": contact_id, "service_id": code}
        if service.contact_name:
            contact["name"] = service.contact_name
        if service.email:
            contact["email"] = service.email
        if service.phone:
            contact["phones"] = [_phone(service, "contact") | {"contact_id": contact_id}]
        contacts.append(contact)
    doc["contacts"] = contacts
    doc["schedules"] = _schedules(service, location_id)
    return doc


def services_to_hsds(services: Iterable[Service]) -> list[dict[str, Any]]:
    """The HSDS export: a JSON array of compiled ``service`` objects."""
    return [service_to_hsds(s) for s in services]


def hsds_queryset(qs: QuerySet[Service]) -> QuerySet[Service]:
    """The queryset shape the compiler needs without one query per service."""
    return qs.select_related("provider", "municipality__state").prefetch_related(
        "target_groups", "schedules"
    )
