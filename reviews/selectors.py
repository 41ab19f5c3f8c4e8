"""Scoped reads of the reviews app, and the aggregates behind "Die häufigsten Fehler".

Case reviews and raw near-miss reports are only reachable through the ``*_for_user``
selectors here (the chokepoint, STYLE §7.4); the learning library is public by design and
only ever holds anonymised, published copies.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404

from core import permissions
from core.audit import access_log_record
from core.choices import GLOBAL_ROLES
from registry.models import Cluster, Municipality
from reviews import search
from reviews.choices import (
    ContextFactor,
    FindingLevel,
    FindingValence,
    IncidentStatus,
    ReviewStatus,
)
from reviews.models import (
    CaseReview,
    Episode,
    ErrorCategory,
    Finding,
    IncidentReport,
    LibraryItem,
    Recommendation,
)

NOT_FOUND = "Nicht gefunden."


def review_list_for_user(
    *, user: Any, status: str = "", municipality: Municipality | None = None
) -> QuerySet[CaseReview]:
    """Reviews the user may read: own commune's, or all for the project team."""
    qs = CaseReview.objects.visible_to(user).select_related("municipality")
    if status:
        qs = qs.filter(status=status)
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return qs.annotate(
        n_findings=Count("findings", distinct=True),
        n_recommendations=Count("recommendations", distinct=True),
    ).order_by("-created_at", "-id")


def review_narratives_visible(*, user: Any, municipality_id: int) -> bool:
    """Whether ``user`` may read a review's narratives (questions, summary, episodes,
    finding texts): only members of the review's own commune, like case data.

    The national project team and the platform administration see that a review exists,
    its status and its coded findings (for the cross-commune statistics), never the
    texts of another commune (issue 14).
    """
    if getattr(user, "is_system", False):
        return True
    # roles_of() adds global roles to the commune's own; only the own ones count here.
    return any(
        role not in GLOBAL_ROLES
        and permissions.role_allows(role, permissions.REVIEWS, permissions.VIEW)
        for role in permissions.roles_of(user, municipality_id)
    )


def review_get_for_user(
    *, user: Any, code: uuid.UUID | str, purpose: str, action: str = permissions.VIEW
) -> CaseReview:
    """One review, or 404 whether it doesn't exist or belongs to another commune.

    Every successful call writes a row to the read log (``core.AccessLog``) with the
    ``purpose``, as the case selectors do: the one sanctioned write in a selector.
    """
    try:
        review = (
            CaseReview.objects.visible_to(user, action)
            .select_related("municipality", "municipality__cluster")
            .get(code=code)
        )
    except (CaseReview.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404(NOT_FOUND) from exc
    access_log_record(
        actor=user, target=review, municipality_id=review.municipality_id, purpose=purpose
    )
    return review


def reviews_log_reads(*, user: Any, reviews: list[CaseReview], purpose: str) -> None:
    """Log the read of each review whose narratives a list answer contains."""
    for review in reviews:
        access_log_record(
            actor=user, target=review, municipality_id=review.municipality_id, purpose=purpose
        )


def review_detail(*, review: CaseReview) -> dict[str, Any]:
    """Everything the review page and the report show, in few queries."""
    # A timeline in date order, whatever order the episodes were entered or imported in
    # (hand-entered ones used to land before imported ones); undated ones last.
    episodes = list(
        review.episodes.order_by(F("occurred_on").asc(nulls_last=True), "position", "id")
    )
    findings = list(review.findings.select_related("category", "episode").all())
    recommendations = list(
        review.recommendations.select_related("finding", "finding__category", "outcome").all()
    )
    # The four levels of the project (seed 003); findings outside them (a context factor
    # alone) are listed apart and never under a level.
    by_level: dict[str, list[Finding]] = {level: [] for level in FindingLevel.values}
    by_context: dict[str, list[Finding]] = {factor: [] for factor in ContextFactor.values}
    for f in findings:
        if f.level:
            by_level[f.level].append(f)
        else:
            by_context[f.context_factor].append(f)
    return {
        "team": list(review.team.order_by("name")),
        "episodes": episodes,
        "findings": findings,
        "findings_by_level": [
            (FindingLevel(level).label, items) for level, items in by_level.items() if items
        ],
        "findings_by_context": [
            (ContextFactor(factor).label, items) for factor, items in by_context.items() if items
        ],
        "strengths": [f for f in findings if f.valence == FindingValence.STRENGTH],
        "weaknesses": [f for f in findings if f.valence == FindingValence.WEAKNESS],
        "recommendations": recommendations,
    }


def episode_get_for_user(*, user: Any, review: CaseReview, pk: int) -> Episode:
    try:
        return Episode.objects.visible_to(user).get(review=review, pk=pk)
    except Episode.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


def finding_get_for_user(*, user: Any, review: CaseReview, pk: int) -> Finding:
    try:
        return Finding.objects.visible_to(user).select_related("category").get(review=review, pk=pk)
    except Finding.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


def recommendation_get_for_user(*, user: Any, review: CaseReview, pk: int) -> Recommendation:
    try:
        return Recommendation.objects.visible_to(user).get(review=review, pk=pk)
    except Recommendation.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


def finding_list_for_user(
    *,
    user: Any,
    level: str = "",
    category: str = "",
    valence: str = "",
    context_factor: str = "",
) -> QuerySet[Finding]:
    """Findings of the reviews the user may read."""
    qs = Finding.objects.visible_to(user).select_related(
        "category", "review", "review__municipality"
    )
    if level:
        qs = qs.filter(level=level)
    if context_factor:
        qs = qs.filter(context_factor=context_factor)
    if category:
        qs = qs.filter(category__code=category)
    if valence:
        qs = qs.filter(valence=valence)
    return qs.order_by("-created_at", "-id")


def categories_active() -> QuerySet[ErrorCategory]:
    return ErrorCategory.objects.filter(is_active=True).order_by("kind", "position", "label")


# --- near-miss reports -------------------------------------------------------------------------


def municipality_for_reporting(*, slug: str) -> Municipality:
    """The commune named in a public report form (every commune of the project has one)."""
    try:
        return Municipality.objects.get(slug=slug)
    except Municipality.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


def incident_queue_for_user(*, user: Any, status: str = "") -> QuerySet[IncidentReport]:
    """Raw reports for moderation: only who may change reviews (the coordination).

    Raw texts may still hold identifying details, so reading roles don't see them.
    """
    qs = IncidentReport.objects.visible_to(user, permissions.CHANGE).select_related(
        "municipality", "category"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-received_on", "-id")


def incident_get_for_moderation(*, user: Any, code: uuid.UUID | str) -> IncidentReport:
    """One raw report for its moderation; the read of its raw texts is logged."""
    try:
        report = (
            IncidentReport.objects.visible_to(user, permissions.CHANGE)
            .select_related("municipality", "category")
            .get(code=code)
        )
    except (IncidentReport.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404(NOT_FOUND) from exc
    access_log_record(
        actor=user,
        target=report,
        municipality_id=report.municipality_id,
        purpose="Beinahe-Ereignis moderieren",
    )
    return report


def incidents_log_reads(*, user: Any, reports: list[IncidentReport], purpose: str) -> None:
    """Log the read of each raw report whose text excerpt a list page shows."""
    for report in reports:
        access_log_record(
            actor=user, target=report, municipality_id=report.municipality_id, purpose=purpose
        )


@dataclass(frozen=True)
class ReceiptAnswer:
    """What a reporter reads under the receipt code: state and answer, never her text."""

    receipt_code: str
    municipality: str
    status: str
    status_label: str
    received_on: Any
    answer: str
    answered_on: Any
    published_title: str = ""


def incident_answer_by_receipt(*, receipt_code: str) -> ReceiptAnswer:
    """The answer under a receipt code, or 404 for an unknown code."""
    from reviews.services import receipt_code_normalise

    code = receipt_code_normalise(receipt_code)
    report = (
        IncidentReport.objects.select_related("municipality").filter(receipt_code=code).first()
        if code
        else None
    )
    if report is None:
        raise Http404(NOT_FOUND)
    answered = report.status != IncidentStatus.RECEIVED and bool(report.answer)
    return ReceiptAnswer(
        receipt_code=report.receipt_code,
        municipality=report.municipality.name,
        status=report.status,
        status_label=str(report.get_status_display()),
        received_on=report.received_on,
        answer=report.answer if answered else "",
        answered_on=report.answered_on if answered else None,
        published_title=(report.public_title if report.status == IncidentStatus.PUBLISHED else ""),
    )


# --- learning library --------------------------------------------------------------------------


def library_list(
    *,
    q: str = "",
    kind: str = "",
    level: str = "",
    category: str = "",
    trigger: str = "",
    institution_type: str = "",
    municipality: str = "",
    context_factor: str = "",
) -> QuerySet[LibraryItem]:
    """Published items from all communes, searchable and filterable (public)."""
    qs = LibraryItem.objects.select_related("municipality", "category").order_by(
        "-published_on", "-id"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if context_factor:
        qs = qs.filter(context_factor=context_factor)
    if category:
        qs = qs.filter(category__code=category)
    if trigger:
        qs = qs.filter(trigger=trigger)
    if institution_type:
        qs = qs.filter(institution_types__contains=f"|{institution_type}|")
    if municipality:
        qs = qs.filter(municipality__slug=municipality)
    return search.search(qs, q)


# --- "Die häufigsten Kinderschutzfehler" --------------------------------------------------------


def min_published_count() -> int:
    """Counts below this are suppressed so that no case can be recognised."""
    return int(getattr(settings, "REVIEWS_MIN_PUBLISHED_COUNT", 5))


COUNTED_STATUSES = (ReviewStatus.RUNNING, ReviewStatus.CLOSED, ReviewStatus.IMPLEMENTED)


@dataclass
class Cell:
    """One published count: ``value`` is None when suppressed."""

    value: int | None
    share: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.value is None


def _cell(count: int, total: int, minimum: int) -> Cell:
    # Zero reveals nobody; 1 … minimum-1 could point to a recognisable case.
    if 0 < count < minimum:
        return Cell(None, None)
    return Cell(count, count / total if total else None)


@dataclass
class Frequencies:
    """Counts of weaknesses by level, by context factor, by category and by year.

    ``total`` counts every finding; the shares of the levels are taken of the findings
    on a level (a finding with only a context factor is on none of the four).
    """

    label: str
    total: Cell
    by_level: list[tuple[str, str, Cell]] = field(default_factory=list)
    # Outside the four levels (law, politics, society): its own dimension, not a level.
    by_context: list[tuple[str, str, Cell]] = field(default_factory=list)
    by_category: list[tuple[str, str, Cell]] = field(default_factory=list)
    by_year: list[tuple[int, Cell]] = field(default_factory=list)
    raw_total: int = 0


def frequencies(
    *,
    label: str,
    municipality_ids: list[int] | None = None,
    exclude_ids: list[int] | None = None,
    valence: str = "weakness",
) -> Frequencies:
    """Aggregate findings of running and closed reviews; no record leaves this function.

    Both findings of reviews and classified near-miss reports count: they are the two
    ways a commune learns about its errors. Two grouped queries (level × category ×
    year) feed all three views, whatever the number of findings.
    """
    minimum = min_published_count()
    findings = Finding.objects.filter(review__status__in=COUNTED_STATUSES, valence=valence)
    incidents = IncidentReport.objects.filter(
        status__in=(IncidentStatus.PUBLISHED, IncidentStatus.ANSWERED)
    ).exclude(level="", context_factor="")
    if municipality_ids is not None:
        findings = findings.filter(review__municipality_id__in=municipality_ids)
        incidents = incidents.filter(municipality_id__in=municipality_ids)
    if exclude_ids:
        findings = findings.exclude(review__municipality_id__in=exclude_ids)
        incidents = incidents.exclude(municipality_id__in=exclude_ids)
    rows = list(
        findings.annotate(y=F("review__year"))
        .values("level", "context_factor", "category_id", "y")
        .annotate(n=Count("id"))
        .order_by()
    )
    if valence == FindingValence.WEAKNESS:
        rows += list(
            incidents.annotate(y=ExtractYear("received_on"))
            .values("level", "context_factor", "category_id", "y")
            .annotate(n=Count("id"))
            .order_by()
        )
    levels: Counter[str] = Counter()
    contexts: Counter[str] = Counter()
    categories: Counter[int] = Counter()
    years: Counter[int] = Counter()
    total = 0
    for row in rows:
        total += row["n"]
        if row["level"]:
            levels[row["level"]] += row["n"]
        if row["context_factor"]:
            contexts[row["context_factor"]] += row["n"]
        years[row["y"]] += row["n"]
        if row["category_id"] is not None:
            categories[row["category_id"]] += row["n"]
    on_levels = sum(levels.values())
    known = {
        pk: (code, name)
        for pk, code, name in ErrorCategory.objects.values_list("pk", "code", "label")
    }
    return Frequencies(
        label=label,
        raw_total=total,
        total=_cell(total, total, minimum),
        by_level=[
            (level, str(FindingLevel(level).label), _cell(levels[level], on_levels, minimum))
            for level in FindingLevel.values
        ],
        by_context=[
            (factor, str(ContextFactor(factor).label), _cell(contexts[factor], total, minimum))
            for factor in ContextFactor.values
        ],
        by_category=sorted(
            (
                (known[pk][0], known[pk][1], _cell(n, total, minimum))
                for pk, n in categories.items()
                if pk in known
            ),
            key=lambda row: -(row[2].value or 0),
        ),
        by_year=[(year, _cell(years[year], total, minimum)) for year in sorted(years)],
    )


@dataclass
class Difference:
    """Where a commune differs from all the others, in percentage points of share."""

    code: str
    label: str
    own_share: float
    others_share: float

    @property
    def points(self) -> float:
        return round((self.own_share - self.others_share) * 100, 1)


def differences(
    *, own: Frequencies, others: Frequencies, threshold_points: float = 5.0
) -> list[Difference]:
    """Levels and categories whose share differs by at least ``threshold_points``.

    Only published (unsuppressed) cells take part, so a difference never reveals a
    suppressed count.
    """
    result = []
    pairs = [
        (own.by_level, others.by_level),
        (own.by_context, others.by_context),
        (own.by_category, others.by_category),
    ]
    for own_rows, other_rows in pairs:
        other = {code: cell for code, _label, cell in other_rows}
        for code, label, cell in own_rows:
            theirs = other.get(code)
            if cell.share is None or theirs is None or theirs.share is None:
                continue
            diff = Difference(code, label, cell.share, theirs.share)
            if abs(diff.points) >= threshold_points:
                result.append(diff)
    return sorted(result, key=lambda d: -abs(d.points))


def frequency_scopes(
    *, municipality: Municipality | None = None, cluster: Cluster | None = None
) -> dict[str, Any]:
    """National figures, and optionally one commune or cluster against all the others."""
    national = frequencies(label="bundesweit")
    context: dict[str, Any] = {"national": national, "scope": None, "others": None}
    ids: list[int] | None = None
    if municipality is not None:
        ids = [municipality.pk]
        label = municipality.name
    elif cluster is not None:
        ids = list(cluster.municipalities.values_list("pk", flat=True))
        if cluster.model_municipality_id and cluster.model_municipality_id not in ids:
            ids.append(cluster.model_municipality_id)
        label = str(cluster)
    if ids is not None:
        scope = frequencies(label=label, municipality_ids=ids)
        others = frequencies(label="alle anderen", exclude_ids=ids)
        context.update(
            scope=scope,
            others=others,
            differences=differences(own=scope, others=others)
            if scope.total.value is not None
            else [],
        )
    return context


def library_facets() -> dict[str, list[tuple[str, str]]]:
    """Filter options that actually occur in the library."""
    used_types: set[str] = set()
    for value in LibraryItem.objects.values_list("institution_types", flat=True).distinct():
        used_types |= {t for t in value.split("|") if t}
    from registry.taxonomy import institution_type_choices

    labels = dict(institution_type_choices())
    return {
        "institution_types": sorted(
            ((t, str(labels.get(t, t))) for t in used_types), key=lambda x: x[1]
        ),
    }


def due_items_for_user(*, user: Any, today: Any) -> list:
    """Mein Bereich: near-miss reports waiting for moderation, open recommendations late."""
    from django.urls import reverse
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from core.inbox import DueItem

    items = []
    if permissions.municipality_ids_for(user, permissions.CHANGE, permissions.REVIEWS):
        waiting = (
            IncidentReport.objects.visible_to(user, permissions.CHANGE)
            .filter(status=IncidentStatus.RECEIVED)
            .count()
        )
        if waiting:
            items.append(
                DueItem(
                    kind="moderation",
                    title=ngettext(
                        "%(n)d Beinahe-Ereignis wartet auf Moderation",
                        "%(n)d Beinahe-Ereignisse warten auf Moderation",
                        waiting,
                    )
                    % {"n": waiting},
                    url=reverse("reviews:incident_queue"),
                    count=waiting,
                )
            )
        running = (
            CaseReview.objects.visible_to(user, permissions.CHANGE)
            .filter(status__in=[ReviewStatus.PLANNED, ReviewStatus.RUNNING])
            .order_by("pk")
        )
        items.extend(
            DueItem(
                kind="case_review",
                title=_("Falluntersuchung „%(title)s“ (%(status)s)")
                % {"title": review.title, "status": review.get_status_display()},
                url=review.get_absolute_url(),
            )
            for review in running[:5]
        )
    return items


def log_holds() -> list[QuerySet]:
    """Records whose audit and read-log rows the log retention keeps: reviews under a
    legal hold (a court case or complaint may need who changed and read what)."""
    return [CaseReview.objects.filter(legal_hold=True)]


def committee_report_section(*, municipality: Municipality, year: int) -> dict[str, Any] | None:
    """Case reviews in the Bericht an den Jugendhilfeausschuss (cases' hook): reviews
    counted in the year, their weaknesses on the four levels and outside them, lessons
    turned into workshop measures, near misses — small counts kept secret (None)."""
    from django.utils.translation import gettext as _

    minimum = min_published_count()

    def secret(n: int) -> int | None:
        return None if 0 < n < minimum else n

    def figures(y: int) -> list[int | None]:
        reviews = CaseReview.objects.filter(
            municipality=municipality, year=y, status__in=COUNTED_STATUSES
        )
        findings = Finding.objects.filter(
            review__in=reviews.values("pk"), valence=FindingValence.WEAKNESS
        )
        by_level = dict(
            findings.exclude(level="").values_list("level").annotate(n=Count("id")).order_by()
        )
        outside = findings.filter(level="").count()
        lessons = (
            reviews.filter(recommendations__outcome__isnull=False)
            .values("recommendations")
            .distinct()
            .count()
        )
        near_misses = IncidentReport.objects.filter(
            municipality=municipality, received_on__year=y
        ).exclude(status=IncidentStatus.REJECTED)
        return [
            reviews.count(),
            *[secret(by_level.get(level, 0)) for level in FindingLevel.values],
            secret(outside),
            lessons,
            secret(near_misses.count()),
        ]

    before, now = figures(year - 1), figures(year)
    if not any(before) and not any(now):
        return None
    labels = [
        _("Falluntersuchungen"),
        *[
            _("Schwachstellen auf der Ebene „%(level)s“") % {"level": label}
            for label in FindingLevel.labels
        ],
        _("Kontextfaktoren außerhalb der vier Ebenen"),
        _("Empfehlungen als Maßnahme an die Werkstatt übergeben"),
        _("Beinahe-Ereignisse gemeldet"),
    ]
    return {
        "title": _("Aus Fehlern lernen: Falluntersuchungen"),
        "rows": list(zip(labels, before, now, strict=True)),
        "note": _("Werte unter %(n)d sind geheim gehalten („.“).") % {"n": minimum},
    }


def procedure_purge_holds() -> set[uuid.UUID]:
    """Procedures whose retention purge must wait (``cases`` asks through the AppConfig
    hook ``procedure_purge_holds``): those a case review still works on — not closed yet,
    or kept under a legal hold — and whose narratives have not been purged."""
    from django.db.models import Q

    open_or_held = Q(legal_hold=True) | ~Q(
        status__in=[ReviewStatus.CLOSED, ReviewStatus.IMPLEMENTED]
    )
    return set(
        CaseReview.objects.filter(open_or_held, procedure_code__isnull=False, purged_at=None)
        .values_list("procedure_code", flat=True)
        .distinct()
    )
