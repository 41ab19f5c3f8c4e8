"""schemathesis over the whole OpenAPI document, anonymous and with a token of each role.

Every operation is fuzzed with bounded examples (``FUZZ_EXAMPLES``, default 3 per
operation; ``FUZZ_EXAMPLES=200`` for a deep run by hand), and every generated request is
sent once per role — anonymous and with a token of each of the nine roles — so that each
role meets each operation (27 requests per operation). A third of the generated path
parameters are replaced by ids of real records of commune A, a third by those of commune
B, so that the fuzzer reaches the code behind the 404 as well. Checks: no server error,
only documented status codes and content types, responses valid against their schema,
and no cross-commune leak: no successful answer to a member of commune A (or to the
project team and the administration, for narratives and procedures) contains commune B's
review narrative, review title or procedure code.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.choices import GLOBAL_ROLES, Role
from core.services import api_token_create

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
ROLES = (
    "anonymous",
    Role.COORDINATOR,
    Role.CASEWORKER,
    Role.TEAM_LEAD,
    Role.DATA_PROTECTION,
    Role.NETWORK_PARTNER,
    Role.READER,
    Role.PROJECT_TEAM,
    Role.PLATFORM_ADMIN,
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _schema() -> schemathesis.BaseSchema:
    # The document is built in-process (no request, no database); calls go to the WSGI app.
    from django.core.wsgi import get_wsgi_application

    from config.api import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@pytest.fixture
def fuzz_world(muni_a, muni_b):
    """Real records of every kind the API addresses, and one token per role."""
    from cases.tests.factories import make_procedure, team_with
    from core.tests.factories import MembershipFactory, UserFactory
    from directory.tests.factories import ServiceFactory
    from evaluation.tests.factories import InvitationFactory, RoundFactory
    from quality.tests.factories import OutcomeFactory, WorkshopFactory
    from registry.tests.factories import ClusterFactory
    from reviews.tests.factories import CaseReviewFactory, IncidentReportFactory

    # The test client disconnects these for the same reason: the WSGI handler would close
    # the connection that holds the test's transaction after every request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)

    tokens = {}
    users = {}
    for role in ROLES[1:]:
        user = UserFactory(username=f"fuzz-{role}")
        global_role = role in (Role.PROJECT_TEAM, Role.PLATFORM_ADMIN)
        MembershipFactory(user=user, municipality=None if global_role else muni_a, role=role)
        tokens[role] = api_token_create(user=user, name="fuzz", actor=user)[1]
        users[role] = user
    cluster = ClusterFactory(number=3, model_municipality=muni_a)
    muni_a.cluster = cluster
    muni_a.save()
    team = team_with(muni_a, users[Role.CASEWORKER], users[Role.TEAM_LEAD])
    procedure = make_procedure(team=team, actor=users[Role.CASEWORKER])
    workshop = WorkshopFactory(municipality=muni_a)
    outcome = OutcomeFactory(municipality=muni_a)
    service = ServiceFactory(municipality=muni_a)
    review = CaseReviewFactory(municipality=muni_a)
    report = IncidentReportFactory(municipality=muni_a)
    round_ = RoundFactory(municipality=muni_a, opens_on=date(2020, 1, 1))
    InvitationFactory(round=round_, token="fuzz-token")
    # Commune B's records: no fuzz role belongs to commune B.
    from core.permissions import SystemActor
    from reviews.services import review_create

    caseworker_b = UserFactory(username="fuzz-b-caseworker")
    MembershipFactory(user=caseworker_b, municipality=muni_b, role=Role.CASEWORKER)
    procedure_b = make_procedure(team=team_with(muni_b, caseworker_b), actor=caseworker_b)
    review_b = review_create(
        municipality=muni_b,
        actor=SystemActor("fuzz"),
        title=LEAK_TITLE,
        trigger="routine",
        method="case_workshop",
        questions=LEAK_NARRATIVE,
    )
    real = {
        "slug": [muni_a.slug, muni_b.slug],
        "municipality": [muni_a.slug],
        "number": [cluster.number],
        "workshop_id": [workshop.pk],
        "outcome_id": [outcome.pk],
        "receipt_code": [report.receipt_code],
        "token": ["fuzz-token"],
        "framework_id": [round_.framework_id],
    }
    codes = {
        "/api/v1/cases": str(procedure.code),
        "/api/v1/directory/services": str(service.code),
        "/api/v1/reviews": str(review.code),
        "/api/v1/evaluations/rounds": str(round_.code),
    }
    codes_b = {
        **codes,
        "/api/v1/cases": str(procedure_b.code),
        "/api/v1/reviews": str(review_b.code),
    }
    real_b = {**real, "slug": [muni_b.slug], "municipality": [muni_b.slug]}
    yield {
        "tokens": tokens,
        "real": {"a": real, "b": real_b},
        "codes": {"a": codes, "b": codes_b},
        "procedure_b": str(procedure_b.code),
    }
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


LEAK_TITLE = "FUZZ-B-TITEL Falluntersuchung"
LEAK_NARRATIVE = "FUZZ-B-NARRATIV nur für Kommune B"


def _use_real_ids(case, world, commune: str) -> None:
    codes, real = world["codes"][commune], world["real"][commune]
    for name in list(case.path_parameters or {}):
        if name == "code":
            prefix = next((p for p in codes if case.path.startswith(p + "/")), None)
            if prefix:
                case.path_parameters[name] = codes[prefix]
        elif name in real:
            case.path_parameters[name] = real[name][0]


def _assert_no_leak(response, role: str, world) -> None:
    """A successful answer to a role outside commune B holds none of B's secrets."""
    if not 200 <= response.status_code < 300:
        return
    body = response.text
    assert LEAK_NARRATIVE not in body, f"{role}: commune B's review narrative"
    assert world["procedure_b"] not in body, f"{role}: commune B's procedure"
    if role not in GLOBAL_ROLES:
        assert LEAK_TITLE not in body, f"{role}: commune B's review"


@schema.parametrize()
@schema.given(ids=st.sampled_from(["generated", "a", "b"]))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_has_no_server_errors_and_keeps_its_schema(case, fuzz_world, ids):
    if ids != "generated":
        _use_real_ids(case, fuzz_world, ids)
    for role in ROLES:
        headers = {}
        if role != "anonymous":
            headers["Authorization"] = f"Bearer {fuzz_world['tokens'][role]}"
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        _assert_no_leak(response, role, fuzz_world)
