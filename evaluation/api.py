"""/api/v1/evaluations: frameworks, rounds and aggregated results — never single answers.

The answering endpoints under ``/evaluations/answer/{token}`` are public: the personal
link is the only credential, exactly as on the web form.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError

from core.api import token_auth
from evaluation import selectors, services
from evaluation.models import Round
from evaluation.schemas import (
    AnswerIn,
    ComparisonQuery,
    FrameworkDetailOut,
    FrameworkOut,
    Message,
    RoundIn,
    RoundOut,
)
from evaluation.services import LinkProblem
from registry.models import Cluster, Municipality

router = Router(tags=["Evaluation"])


def _framework(framework: Any) -> dict[str, Any]:
    return {
        "id": framework.pk,
        "key": framework.key,
        "version": framework.version,
        "title": framework.title,
        "is_example": framework.is_example,
        "municipality": framework.municipality.slug if framework.municipality else None,
        "definition": framework.definition,
    }


def _round(r: Round) -> dict[str, Any]:
    progress = selectors.round_progress(evaluation_round=r)
    return {
        "code": str(r.code),
        "municipality": r.municipality.slug,
        "framework_key": r.framework.key,
        "framework_version": r.framework.version,
        "kind": r.kind,
        "title": r.title,
        "opens_on": r.opens_on,
        "closes_on": r.closes_on,
        "status": r.status,
        "min_group_size": r.min_group_size,
        "invited": progress["invited"],
        "answered": progress["answered"],
    }


@router.get("/evaluations/frameworks", response=list[FrameworkOut], auth=token_auth)
def list_frameworks(request: HttpRequest):
    return [
        _framework(f)
        for f in selectors.framework_list(user=request.user).select_related("municipality")
    ]


@router.get("/evaluations/frameworks/{framework_id}", response=FrameworkDetailOut, auth=token_auth)
def get_framework(request: HttpRequest, framework_id: int):
    return _framework(selectors.framework_get(user=request.user, pk=framework_id))


@router.get("/evaluations/rounds", response=list[RoundOut], auth=token_auth)
def list_rounds(request: HttpRequest):
    return [
        {
            **_round_fields(r),
            "invited": r.n_invited,
            "answered": r.n_answered,
        }
        for r in selectors.round_list(user=request.user)
    ]


def _round_fields(r: Round) -> dict[str, Any]:
    return {
        "code": str(r.code),
        "municipality": r.municipality.slug,
        "framework_key": r.framework.key,
        "framework_version": r.framework.version,
        "kind": r.kind,
        "title": r.title,
        "opens_on": r.opens_on,
        "closes_on": r.closes_on,
        "status": r.status,
        "min_group_size": r.min_group_size,
    }


@router.post("/evaluations/rounds", response={201: RoundOut}, auth=token_auth)
def create_round(request: HttpRequest, payload: RoundIn):
    municipality = get_object_or_404(
        Municipality.objects.visible_to(request.user), slug=payload.municipality
    )
    framework = selectors.framework_get(user=request.user, pk=payload.framework_id)
    evaluation_round = services.round_create(
        municipality=municipality,
        framework=framework,
        title=payload.title,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        kind=payload.kind,
        min_group_size=payload.min_group_size,
        actor=request.user,
    )
    return 201, _round(evaluation_round)


@router.get("/evaluations/rounds/{code}", response=RoundOut, auth=token_auth)
def get_round(request: HttpRequest, code: str):
    return _round(selectors.round_get(user=request.user, code=code))


@router.get("/evaluations/rounds/{code}/progress", auth=token_auth)
def get_progress(request: HttpRequest, code: str) -> dict[str, Any]:
    """Invited and answered per institution type (counts only)."""
    evaluation_round = selectors.round_get(user=request.user, code=code)
    return selectors.round_progress(evaluation_round=evaluation_round)


@router.get("/evaluations/rounds/{code}/results", auth=token_auth)
def get_results(request: HttpRequest, code: str) -> dict[str, Any]:
    """Aggregated results with small-group suppression; change against earlier rounds."""
    evaluation_round = selectors.round_get(user=request.user, code=code)
    results = selectors.round_results(evaluation_round=evaluation_round)
    results.pop("definition", None)
    for item in results.get("differences", []):
        item["low"] = {"group": item["low"][0], "mean": item["low"][1]}
        item["high"] = {"group": item["high"][0], "mean": item["high"][1]}
    trend = selectors.round_trend(user=request.user, evaluation_round=evaluation_round)
    results["trend"] = [
        {
            "round": str(t["round"].code),
            "opens_on": t["round"].opens_on,
            "n_responses": t["n_responses"],
            "suppressed": t["suppressed"],
            "means": t["means"],
            "changes": t["changes"],
        }
        for t in trend
    ]
    results["round"] = str(evaluation_round.code)
    return results


@router.get("/evaluations/comparison", auth=token_auth)
def get_comparison(request: HttpRequest, query: Query[ComparisonQuery]) -> dict[str, Any]:
    """Communes side by side (latest round each); small communes are suppressed."""
    ids = set(Municipality.objects.filter(slug__in=query.municipality).values_list("pk", flat=True))
    if query.cluster is not None:
        cluster = get_object_or_404(Cluster, number=query.cluster)
        ids |= set(cluster.municipalities.values_list("pk", flat=True))
    data = selectors.comparison(
        user=request.user, framework_key=query.framework, municipality_ids=ids
    )
    return {
        "dimensions": data["dimensions"],
        "communes": [
            {
                "municipality": r["round"].municipality.slug,
                "round": str(r["round"].code),
                "opens_on": r["round"].opens_on,
                "n_responses": r["n_responses"],
                "suppressed": r["suppressed"],
                "means": r["means"],
            }
            for r in data["rounds"]
        ],
    }


# --- public answering ---------------------------------------------------------------


def _invitation(token: str) -> Any:
    try:
        return services.invitation_for_token(token=token)
    except LinkProblem as problem:
        raise HttpError(problem.status, problem.message) from problem


@router.get("/evaluations/answer/{token}", auth=None, summary="Fragebogen zum persönlichen Link")
def get_questionnaire(request: HttpRequest, token: str) -> dict[str, Any]:
    invitation = _invitation(token)
    definition = invitation.round.framework.parsed()
    asked = invitation.institution_type
    return {
        "round": invitation.round.title,
        "municipality": invitation.round.municipality.name,
        "closes_on": invitation.round.closes_on,
        "institution_type": asked,
        "scale": [{"value": v, "label": label} for v, label in definition.scale],
        "cannot_judge": {"value": services.CANNOT_JUDGE, "label": definition.cannot_judge},
        "statements": [
            {"key": s.key, "dimension": s.dimension, "text": s.text}
            for s in definition.statements(asked)
        ],
        "free_text": [
            {"key": q.key, "dimension": q.dimension, "text": q.text}
            for q in definition.free_text_questions(asked)
        ],
        "draft": invitation.draft,
    }


@router.put("/evaluations/answer/{token}/draft", auth=None, response=Message)
def put_draft(request: HttpRequest, token: str, payload: AnswerIn):
    try:
        services.response_save_draft(token=token, answers=payload.answers, texts=payload.texts)
    except LinkProblem as problem:
        raise HttpError(problem.status, problem.message) from problem
    return {"detail": "Zwischenstand gespeichert."}


@router.post("/evaluations/answer/{token}", auth=None, response={201: Message})
def post_answers(request: HttpRequest, token: str, payload: AnswerIn):
    """Submit; invalid answers keep the draft and return 422 naming each statement."""
    try:
        services.response_submit(token=token, answers=payload.answers, texts=payload.texts)
    except LinkProblem as problem:
        raise HttpError(problem.status, problem.message) from problem
    return 201, {"detail": "Vielen Dank! Ihre Antworten sind anonym gespeichert."}
