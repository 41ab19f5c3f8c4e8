"""Scoped reads and the aggregation of answers (never single answers leave this module).

Aggregation works on *counts*: one GROUP BY over the answers of a round gives, per
statement, institution type and scale value, how many people chose it. Every figure on
the results page (means, spread, strongest and weakest statements, group differences)
is computed from those counts in :func:`aggregate`, a pure function that the tests feed
with hand-made numbers and the benchmark compares with Polars.

Small groups: a group (institution type) with fewer responses than the round's minimum
is not shown. Hidden groups are folded into "weitere Einrichtungsarten"; if that fold is
itself below the minimum, the smallest visible groups join it until it is big enough —
otherwise a hidden group could be recovered by subtracting the visible groups from the
total (:func:`fold_groups`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core import permissions
from evaluation.frameworks import Definition
from evaluation.models import (
    Answer,
    FollowUp,
    Framework,
    FreeTextAnswer,
    Invitation,
    Response,
    Round,
)
from registry.models import Municipality
from registry.taxonomy import get_institution_type

OTHER = "__other__"


# --- scoped reads ---------------------------------------------------------------------


def framework_list(*, user: Any) -> QuerySet[Framework]:
    return Framework.objects.visible_to(user).order_by("key", "-version")


def framework_get(*, user: Any, pk: int) -> Framework:
    framework = framework_list(user=user).filter(pk=pk).first()
    if framework is None:
        raise Http404(_("Fragebogen nicht gefunden."))
    return framework


def round_list(*, user: Any, action: str = permissions.VIEW) -> QuerySet[Round]:
    return (
        Round.objects.visible_to(user, action)
        .select_related("municipality", "framework")
        .annotate(
            n_invited=Count("invitations", distinct=True),
            n_answered=Count("invitations", filter=Q(invitations__used=True), distinct=True),
        )
        .order_by("-opens_on", "municipality__name")
    )


def round_get(*, user: Any, code: Any, action: str = permissions.VIEW) -> Round:
    """A round the user may see; 404 for unknown and for other communes' rounds alike."""
    try:
        evaluation_round = (
            Round.objects.visible_to(user, action)
            .select_related("municipality", "framework")
            .filter(code=code)
            .first()
        )
    except (ValueError, TypeError, ValidationError):  # not a UUID
        evaluation_round = None
    if evaluation_round is None:
        raise Http404(_("Evaluationsrunde nicht gefunden."))
    return evaluation_round


def can_manage(*, user: Any, evaluation_round: Round) -> bool:
    return permissions.has_permission(
        user, permissions.CHANGE, permissions.QUALITY, evaluation_round.municipality_id
    )


def municipalities_for_new_round(*, user: Any) -> QuerySet[Municipality]:
    allowed = permissions.municipality_ids_for(user, permissions.ADD, permissions.QUALITY)
    if allowed == permissions.ALL:
        return Municipality.objects.all()
    return Municipality.objects.filter(pk__in=allowed)


def type_label(code: str) -> str:
    if code == OTHER:
        return _("weitere Einrichtungsarten (zusammengefasst)")
    try:
        return str(get_institution_type(code).label)
    except KeyError:
        return code


def round_progress(*, evaluation_round: Round) -> dict[str, Any]:
    """Invited and answered per institution type (counts only, no names)."""
    rows = (
        Invitation.objects.filter(round=evaluation_round)
        .values("institution_type")
        .annotate(invited=Count("id"), answered=Count("id", filter=Q(used=True)))
        .order_by("institution_type")
    )
    groups = [
        {
            "code": row["institution_type"],
            "label": type_label(row["institution_type"]),
            "invited": row["invited"],
            "answered": row["answered"],
            "percent": round(100 * row["answered"] / row["invited"]) if row["invited"] else 0,
        }
        for row in rows
    ]
    invited = sum(g["invited"] for g in groups)
    answered = sum(g["answered"] for g in groups)
    return {
        "groups": sorted(groups, key=lambda g: str(g["label"])),
        "invited": invited,
        "answered": answered,
        "percent": round(100 * answered / invited) if invited else 0,
    }


# --- aggregation --------------------------------------------------------------------------


@dataclass
class Stats:
    """Mean and spread from a value → count distribution."""

    counts: dict[int, int] = field(default_factory=dict)
    cannot_judge: int = 0

    def add(self, value: int | None, count: int) -> None:
        if value is None:
            self.cannot_judge += count
        else:
            self.counts[value] = self.counts.get(value, 0) + count

    def merge(self, other: Stats) -> None:
        for value, count in other.counts.items():
            self.add(value, count)
        self.cannot_judge += other.cannot_judge

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        n = self.n
        return sum(v * c for v, c in self.counts.items()) / n if n else None

    @property
    def sd(self) -> float | None:
        """Sample standard deviation (n − 1), the spread shown beside each mean."""
        n = self.n
        if n < 2:
            return None
        mean = self.mean or 0.0
        return math.sqrt(sum(c * (v - mean) ** 2 for v, c in self.counts.items()) / (n - 1))


def fold_groups(sizes: dict[str, int], minimum: int) -> tuple[dict[str, str], set[str]]:
    """Map each institution type to its shown group (itself or OTHER), and the hidden ones.

    Returns ``(mapping, hidden)``: ``mapping`` only contains types that are shown (alone
    or folded); ``hidden`` the types whose answers appear in no group at all.
    """
    visible = {code for code, n in sizes.items() if n >= minimum}
    folded = set(sizes) - visible
    if folded:
        # Fold the smallest visible groups in until the fold is big enough, so that no
        # hidden group can be computed as "total minus the visible groups".
        while sum(sizes[c] for c in folded) < minimum and visible:
            smallest = min(visible, key=lambda c: (sizes[c], c))
            visible.remove(smallest)
            folded.add(smallest)
    hidden: set[str] = set()
    if folded and sum(sizes[c] for c in folded) < minimum:
        hidden, folded = folded, set()
    mapping = {code: code for code in visible}
    mapping.update({code: OTHER for code in folded})
    return mapping, hidden


def aggregate(
    *,
    definition: Definition,
    counts: Iterable[tuple[str, str, int | None, int]],
    group_sizes: dict[str, int],
    minimum: int,
    top: int = 3,
) -> dict[str, Any]:
    """Results of one round from (statement, institution type, value, count) rows.

    ``value`` None counts "kann ich nicht beurteilen". Nothing is returned for groups or
    rounds below ``minimum`` responses: ``suppressed`` says so instead.
    """
    total = sum(group_sizes.values())
    if total < minimum:
        return {"suppressed": True, "n_responses": total, "minimum": minimum}
    dimension_of = {s.key: s.dimension for s in definition.statements()}
    mapping, hidden = fold_groups(group_sizes, minimum)
    by_statement: dict[str, Stats] = defaultdict(Stats)
    by_group_dimension: dict[tuple[str, str], Stats] = defaultdict(Stats)
    for statement_key, type_code, value, count in counts:
        dimension = dimension_of.get(statement_key)
        if dimension is None:
            continue
        by_statement[statement_key].add(value, count)
        group = mapping.get(type_code)
        if group is not None:
            by_group_dimension[(group, dimension)].add(value, count)

    dimensions = []
    all_statements = []
    for dim in definition.dimensions:
        dim_stats = Stats()
        statements = []
        for statement in dim.statements:
            stats = by_statement.get(statement.key, Stats())
            dim_stats.merge(stats)
            # A statement asked of few people (e.g. only of the Jugendamt) would show a
            # small group's answers through the back door: it is suppressed like a group.
            hide = stats.n + stats.cannot_judge < minimum
            row = {
                "key": statement.key,
                "text": statement.text,
                "dimension": dim.key,
                "dimension_title": dim.title,
                "suppressed": hide,
                "n": stats.n,
                "cannot_judge": stats.cannot_judge,
                "mean": None if hide else stats.mean,
                "sd": None if hide else stats.sd,
                "distribution": None
                if hide
                else [stats.counts.get(v, 0) for v, _label in definition.scale],
            }
            statements.append(row)
            all_statements.append(row)
        dimensions.append(
            {
                "key": dim.key,
                "title": dim.title,
                "description": dim.description,
                "n": dim_stats.n,
                "cannot_judge": dim_stats.cannot_judge,
                "mean": dim_stats.mean,
                "sd": dim_stats.sd,
                "statements": statements,
            }
        )
    # Statements rated by fewer than ``minimum`` people are not ranked: a strongest
    # statement answered by two people is noise and may expose them.
    ranked = sorted(
        (s for s in all_statements if s["mean"] is not None and s["n"] >= minimum),
        key=lambda s: (s["mean"], s["key"]),
    )
    group_codes = sorted(set(mapping.values()), key=lambda c: (c == OTHER, type_label(c)))
    groups = []
    for code in group_codes:
        members = [t for t, g in mapping.items() if g == code]
        groups.append(
            {
                "code": code,
                "label": type_label(code),
                "members": sorted(type_label(t) for t in members) if code == OTHER else [],
                "n_responses": sum(group_sizes[t] for t in members),
                "dimensions": {
                    dim.key: by_group_dimension.get((code, dim.key), Stats()).mean
                    for dim in definition.dimensions
                },
            }
        )
    differences = []
    for dim in definition.dimensions:
        means = [(g["label"], g["dimensions"][dim.key]) for g in groups]
        means = [(label, m) for label, m in means if m is not None]
        if len(means) >= 2:
            low = min(means, key=lambda item: item[1])
            high = max(means, key=lambda item: item[1])
            differences.append(
                {
                    "dimension": dim.key,
                    "title": dim.title,
                    "spread": high[1] - low[1],
                    "low": low,
                    "high": high,
                }
            )
    differences.sort(key=lambda d: -d["spread"])
    return {
        "suppressed": False,
        "n_responses": total,
        "minimum": minimum,
        "scale": [{"value": v, "label": label} for v, label in definition.scale],
        "dimensions": dimensions,
        # Weakest first: the order in which "from weakness to work" offers them.
        "weakest_dimensions": sorted(
            (d for d in dimensions if d["mean"] is not None), key=lambda d: (d["mean"], d["key"])
        ),
        "strongest": list(reversed(ranked[-top:])) if ranked else [],
        "weakest": ranked[:top],
        "groups": groups,
        "hidden_groups": len(hidden),
        "differences": differences,
    }


def _counts(rounds: Iterable[Round]) -> QuerySet:
    return (
        Answer.objects.filter(round__in=list(rounds))
        .values_list("round_id", "statement_key", "institution_type", "value")
        .annotate(c=Count("id"))
        .order_by()
    )


def _group_sizes(rounds: Iterable[Round]) -> dict[int, dict[str, int]]:
    sizes: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Response.objects.filter(round__in=list(rounds))
        .values_list("round_id", "institution_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    for round_id, code, n in rows:
        sizes[round_id][code] = n
    return sizes


def round_results(*, evaluation_round: Round) -> dict[str, Any]:
    """The commune's profile from one round: two aggregate queries, plus free texts."""
    definition = evaluation_round.framework.parsed()
    rows = [(s, t, v, c) for _r, s, t, v, c in _counts([evaluation_round])]
    sizes = _group_sizes([evaluation_round]).get(evaluation_round.pk, {})
    results = aggregate(
        definition=definition,
        counts=rows,
        group_sizes=sizes,
        minimum=evaluation_round.min_group_size,
    )
    results["definition"] = definition
    results["free_text"] = (
        []
        if results["suppressed"]
        else free_text_by_dimension(
            evaluation_round=evaluation_round, definition=definition, group_sizes=sizes
        )
    )
    return results


def free_text_by_dimension(
    *, evaluation_round: Round, definition: Definition, group_sizes: dict[str, int]
) -> list[dict[str, Any]]:
    """Free-text answers per dimension, sorted alphabetically (order reveals nothing).

    A question put only to a few people (say, only to the family court) is left out
    while fewer than the round's minimum were asked it.
    """
    minimum = evaluation_round.min_group_size

    def asked_enough(question: Any) -> bool:
        asked = sum(n for code, n in group_sizes.items() if question.is_asked(code))
        return asked >= minimum

    texts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for dimension, question, text in FreeTextAnswer.objects.filter(
        round=evaluation_round
    ).values_list("dimension_key", "question_key", "text"):
        texts[dimension][question].append(text)
    sections = []
    for dim_key, title in [(d.key, d.title) for d in definition.dimensions] + [
        ("", _("Allgemeine Fragen"))
    ]:
        questions = [
            {"text": q.text, "answers": sorted(texts[dim_key][q.key], key=str.casefold)}
            for q in definition.free_text_questions()
            if (q.dimension or "") == dim_key and texts[dim_key].get(q.key) and asked_enough(q)
        ]
        if questions:
            sections.append({"key": dim_key, "title": title, "questions": questions})
    return sections


def dimension_means(rounds: list[Round]) -> dict[int, dict[str, Any]]:
    """Per round: responses and dimension means, or ``suppressed`` below its minimum."""
    sizes = _group_sizes(rounds)
    stats: dict[tuple[int, str], Stats] = defaultdict(Stats)
    definitions = {r.pk: r.framework.parsed() for r in rounds}
    dimension_of = {
        r.pk: {s.key: s.dimension for s in definitions[r.pk].statements()} for r in rounds
    }
    for round_id, statement_key, _type, value, count in _counts(rounds):
        dimension = dimension_of[round_id].get(statement_key)
        if dimension is not None:
            stats[(round_id, dimension)].add(value, count)
    result = {}
    for r in rounds:
        n = sum(sizes.get(r.pk, {}).values())
        suppressed = n < r.min_group_size
        result[r.pk] = {
            "round": r,
            "n_responses": n,
            "suppressed": suppressed,
            "means": {}
            if suppressed
            else {d.key: stats[(r.pk, d.key)].mean for d in definitions[r.pk].dimensions},
        }
    return result


def round_trend(*, user: Any, evaluation_round: Round) -> list[dict[str, Any]]:
    """Rounds of the same framework in the same commune, oldest first, with changes."""
    rounds = list(
        Round.objects.visible_to(user)
        .filter(
            municipality_id=evaluation_round.municipality_id,
            framework__key=evaluation_round.framework.key,
        )
        .select_related("framework", "municipality")
        .order_by("opens_on", "id")
    )
    means = dimension_means(rounds)
    trend = []
    previous: dict[str, Any] | None = None
    for r in rounds:
        entry = dict(means[r.pk])
        entry["changes"] = {}
        if previous is not None and not entry["suppressed"] and not previous["suppressed"]:
            entry["changes"] = {
                key: value - previous["means"][key]
                for key, value in entry["means"].items()
                if value is not None and previous["means"].get(key) is not None
            }
        trend.append(entry)
        previous = entry
    return trend


def comparison(*, user: Any, framework_key: str, municipality_ids: Iterable[int]) -> dict[str, Any]:
    """Communes side by side: per commune the latest round of a framework it can see."""
    candidates = (
        Round.objects.visible_to(user)
        .filter(framework__key=framework_key, municipality_id__in=list(municipality_ids))
        .select_related("framework", "municipality")
        .order_by("municipality_id", "-opens_on", "-id")
    )
    latest: dict[int, Round] = {}
    for r in candidates:
        latest.setdefault(r.municipality_id, r)
    rounds = sorted(latest.values(), key=lambda r: r.municipality.name)
    if not rounds:
        return {"rounds": [], "dimensions": []}
    means = dimension_means(rounds)
    newest = max((r.framework for r in rounds), key=lambda f: f.version).parsed()
    return {
        "rounds": [means[r.pk] for r in rounds],
        "dimensions": [{"key": d.key, "title": d.title} for d in newest.dimensions],
    }


def follow_ups_for(*, evaluation_round: Round) -> list[FollowUp]:
    return list(
        FollowUp.objects.filter(round=evaluation_round)
        .select_related("outcome", "development_interest")
        .order_by("created_at")
    )


def due_items_for_user(*, user: Any, today: Any) -> list:
    """Mein Bereich: evaluation rounds open now in the user's communes, closing first."""
    from core.inbox import DueItem
    from evaluation.choices import RoundStatus
    from evaluation.models import Round

    if not permissions.municipality_ids_for(user, permissions.VIEW, permissions.QUALITY):
        return []
    rounds = (
        Round.objects.visible_to(user)
        .filter(status=RoundStatus.OPEN, opens_on__lte=today, closes_on__gte=today)
        .select_related("municipality")
        .order_by("closes_on")[:5]
    )
    return [
        DueItem(
            kind="open_round",
            title=_("Evaluationsrunde „%(title)s“ läuft bis %(date)s")
            % {"title": r.title, "date": r.closes_on.strftime("%d.%m.%Y")},
            url=r.get_absolute_url(),
            when=r.closes_on,
        )
        for r in rounds
    ]


def committee_report_section(*, municipality: Any, year: int) -> dict[str, Any] | None:
    """Evaluation results in the Bericht an den Jugendhilfeausschuss (cases' hook).

    The rounds of the commune that ended in the year (and the year before, for the
    comparison column): how many members were invited and answered, and per dimension of
    the questionnaire the mean over the rounds that reached their minimum number of
    answers. A round below its minimum contributes counts only, never a mean; a dimension
    no published round measured shows "." (kept secret or not asked).
    """

    def rounds_of(y: int) -> list[Round]:
        return list(
            Round.objects.filter(municipality=municipality, closes_on__year=y)
            .select_related("framework")
            .order_by("closes_on", "pk")
        )

    before_rounds, now_rounds = rounds_of(year - 1), rounds_of(year)
    if not before_rounds and not now_rounds:
        return None

    def counts(rounds: list[Round]) -> tuple[int, int, int | None]:
        invited = Invitation.objects.filter(round__in=rounds).count()
        answered = Invitation.objects.filter(round__in=rounds, used=True).count()
        rate = round(100 * answered / invited) if invited else None
        return invited, answered, rate

    def means(rounds: list[Round]) -> dict[str, float]:
        by_round = dimension_means(rounds)
        collected: dict[str, list[float]] = defaultdict(list)
        for result in by_round.values():
            for key, mean in result["means"].items():
                if mean is not None:
                    collected[key].append(mean)
        return {key: round(sum(v) / len(v), 1) for key, v in collected.items()}

    titles: dict[str, str] = {}
    for r in [*before_rounds, *now_rounds]:
        for dimension in r.framework.parsed().dimensions:
            titles.setdefault(dimension.key, dimension.title)
    (inv_b, ans_b, rate_b), (inv_n, ans_n, rate_n) = counts(before_rounds), counts(now_rounds)
    means_b, means_n = means(before_rounds), means(now_rounds)
    rows: list[tuple[str, Any, Any]] = [
        (_("Evaluationsrunden beendet"), len(before_rounds), len(now_rounds)),
        (_("Eingeladene Netzwerkmitglieder"), inv_b, inv_n),
        (_("Antworten"), ans_b, ans_n),
        (_("Rücklauf in %"), rate_b, rate_n),
    ]
    rows += [
        (_("Mittelwert „%(dimension)s“") % {"dimension": title}, means_b.get(key), means_n.get(key))
        for key, title in titles.items()
    ]
    return {
        "title": _("Evaluation der Zusammenarbeit im Netzwerk"),
        "rows": rows,
        "note": _(
            "Mittelwerte auf der Antwortskala der Runde; Runden mit zu wenigen Antworten "
            "gehen nur mit ihren Zahlen ein („.“: kein veröffentlichter Mittelwert)."
        ),
    }
