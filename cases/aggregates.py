"""§ 8a key figures for the coordination, the cluster and the national project team.

The coordination of a commune and the project team never open procedures (no case role),
but they need the statistic: for the Jugendhilfeausschuss, for the cluster's exchange and
for the cross-commune comparison. Only aggregates leave this module:

* the tables of :mod:`cases.statistics` with complementary suppression
  (:mod:`cases.suppression`): counts 1 … threshold-1 are hidden, and so is every cell a
  reader could recompute from the published margins; a sum of communes (cluster, all
  communes) publishes only sums of published cells, so it adds nothing to recompute with;
* key figures (total, results, shares, rates per 1,000 minors, repeated reports, family
  court, newly started help) read from the *published* cells only, so a figure never
  reveals a hidden cell;
* deadline figures where both the met and the missed count are 0 or at least the threshold.

Who sees what (:func:`scopes_for_user`): a coordinator (analytics read) or a Teamleitung
(case export) their own commune; the cluster's communes that share their figures
(``CasePolicy.share_statistic_in_cluster``, mutual: only a sharing commune sees the
others); the project team all communes and their sum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from cases import statistics, suppression
from cases.choices import StatisticResult
from cases.models import CasePolicy, Procedure
from core import permissions
from registry.models import Municipality
from registry.selectors import minors_by_municipality

RESULTS = statistics.RESULTS
ENDANGERED = statistics.ENDANGERED


def min_count() -> int:
    """Counts below this are kept secret (the Landesämter use 3 for the KJH statistic)."""
    return max(int(getattr(settings, "CASES_STATISTIC_MIN_COUNT", 3)), 2)


@dataclass(frozen=True)
class Scope:
    """A set of communes shown together; ``sum_label`` adds their sum as a linked table."""

    kind: str  # "commune", "cluster" or "national"
    key: str  # commune slug, cluster number or "alle"
    label: str
    municipality_ids: tuple[int, ...]
    sum_label: str | None = None


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    from cases.selectors import year_bounds

    return year_bounds(year)


def scopes_for_user(*, user: Any) -> list[Scope]:
    """The scopes ``user`` may see the aggregates of (empty: none)."""
    view = permissions.municipality_ids_for(user, permissions.VIEW, permissions.ANALYTICS)
    export = permissions.municipality_ids_for(user, permissions.EXPORT, permissions.CASES)
    if permissions.ALL in (view, export):
        ids = tuple(Municipality.objects.order_by("name").values_list("pk", flat=True))
        label = _("Alle Kommunen")
        return [Scope("national", "alle", label, ids, sum_label=label)]
    own = set(view) | set(export)
    scopes: list[Scope] = []
    clusters_done: set[int] = set()
    sharing = set(
        CasePolicy.objects.filter(share_statistic_in_cluster=True).values_list(
            "municipality_id", flat=True
        )
    )
    for municipality in (
        Municipality.objects.filter(pk__in=own).select_related("cluster").order_by("name")
    ):
        scopes.append(Scope("commune", municipality.slug, municipality.name, (municipality.pk,)))
        cluster = municipality.cluster
        if cluster is None or cluster.pk in clusters_done or municipality.pk not in sharing:
            continue
        members = tuple(
            Municipality.objects.filter(cluster=cluster, pk__in=sharing)
            .order_by("name")
            .values_list("pk", flat=True)
        )
        if len(members) >= 2:
            clusters_done.add(cluster.pk)
            label = str(cluster)
            scopes.append(Scope("cluster", str(cluster.number), label, members, sum_label=label))
    return scopes


def may_see_commune(*, user: Any, municipality_id: int) -> bool:
    """Whether ``user`` sees this commune's aggregates (own commune or project team)."""
    for action, domain in (
        (permissions.VIEW, permissions.ANALYTICS),
        (permissions.EXPORT, permissions.CASES),
    ):
        if permissions.has_permission(user, action, domain, municipality_id):
            return True
    return False


def scope_get_for_user(*, user: Any, kind: str, key: str) -> Scope | None:
    """One of the user's scopes, or None (the caller answers 404)."""
    return next((s for s in scopes_for_user(user=user) if s.kind == kind and s.key == key), None)


# --- the published table ---------------------------------------------------------------------


@dataclass
class PublishedTable:
    """The suppressed table of one scope and year; cells are ints or ``"."``."""

    scope: Scope
    year: int
    threshold: int
    header: list[str]
    table: list[list[Any]]
    labels: list[str] = field(default_factory=list)  # communes (and the sum) in the table


def procedures_of(*, municipality_ids: tuple[int, ...] | list[int], year: int) -> Any:
    """The year's assessed procedures of these communes, read for aggregation only.

    Deliberately not scoped to a case team: the callers publish nothing but suppressed
    aggregates (the module docstring says why that is safe).
    """
    start, end = _year_bounds(year)
    return (
        Procedure.objects.filter(
            municipality_id__in=list(municipality_ids), result_at__gte=start, result_at__lt=end
        )
        .exclude(result="")
        .order_by()
    )


def published_table(*, scope: Scope, year: int, threshold: int | None = None) -> PublishedTable:
    """Build, add up (where the scope has a sum) and suppress the year's table."""
    threshold = threshold or min_count()
    rows = statistics.build_statistics(
        procedures_of(municipality_ids=scope.municipality_ids, year=year)
    )
    communes = sorted({r.municipality for r in rows})
    table = statistics.table(rows, suppress_below=threshold)
    with_sum = bool(scope.sum_label) and len(communes) > 1
    if with_sum:
        # The sum of the published cells only (see suppression.published_sum).
        table += suppression.published_sum(table, scope.sum_label, statistics.SUPPRESSED)
    labels = communes + ([scope.sum_label] if with_sum else [])
    return PublishedTable(scope, year, threshold, statistics.header(), table, labels)


# --- key figures from the published cells ---------------------------------------------------


@dataclass
class KeyFigures:
    """The figures a committee asks for, each None when the table keeps it secret."""

    label: str
    year: int
    total: int | None = None
    results: list[tuple[str, str, int | None, float | None]] = field(default_factory=list)
    repeated: int | None = None
    family_court: int | None = None
    section_42: int | None = None
    new_help: int | None = None
    reporters: list[tuple[str, int | None]] = field(default_factory=list)
    ages: list[tuple[str, int | None]] = field(default_factory=list)
    minors: int | None = None
    minors_year: int | None = None

    @property
    def rate(self) -> float | None:
        """Procedures per 1,000 residents under 18 (from the published total)."""
        if self.total is None or not self.minors:
            return None
        return round(self.total * 1000 / self.minors, 2)

    @property
    def endangered_rate(self) -> float | None:
        """Akute or latente Kindeswohlgefährdung per 1,000 minors."""
        values = [v for code, _label, v, _share in self.results if code in ENDANGERED]
        if len(values) != 2 or None in values or not self.minors:
            return None
        return round(sum(values) * 1000 / self.minors, 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "year": self.year,
            "total": self.total,
            "rate_per_1000_minors": self.rate,
            "endangered_per_1000_minors": self.endangered_rate,
            "minors": self.minors,
            "minors_year": self.minors_year,
            "results": [
                {"code": code, "label": label, "count": value, "share": share}
                for code, label, value, share in self.results
            ],
            "repeated_reports": self.repeated,
            "family_court_called": self.family_court,
            "section_42": self.section_42,
            "new_help": self.new_help,
            "reporters": [{"category": c, "count": v} for c, v in self.reporters],
            "age_groups": [{"category": c, "count": v} for c, v in self.ages],
        }


def _value(cell: Any) -> int | None:
    return None if cell == statistics.SUPPRESSED else int(cell)


def key_figures(published: PublishedTable) -> list[KeyFigures]:
    """Key figures per commune (and sum) of a published table; rates from the registry."""
    yes = _("ja")
    no_help = _("keine neue Hilfe")
    by_label: dict[str, KeyFigures] = {
        label: KeyFigures(label, published.year) for label in published.labels
    }
    help_none: dict[str, int | None] = {}
    seen: set[tuple[str, str]] = set()
    for line in published.table:
        label, feature, category = line[0], line[1], line[2]
        figures = by_label.get(label)
        if figures is None:
            continue
        total = _value(line[3])
        if feature == "Insgesamt":
            figures.total = total
            for code, cell in zip(RESULTS, line[4:], strict=True):
                value = _value(cell)
                # A hidden total hides the shares.
                share = round(value / total, 3) if value is not None and total else None
                figures.results.append((code, str(StatisticResult(code).label), value, share))
        elif feature in _YES_FEATURES and category == yes:
            setattr(figures, _YES_FEATURES[feature], total)
            seen.add((label, feature))
        elif feature == statistics.NEW_HELP_FEATURE and category == no_help:
            help_none[label] = total
            seen.add((label, feature))
        elif feature == "Bekanntwerden durch":
            figures.reporters.append((category, total))
        elif feature == "Altersgruppe":
            figures.ages.append((category, total))
    for label, figures in by_label.items():
        if figures.total is None:
            continue
        # A category without a row had no procedures: 0, not a secret.
        for feature, attribute in _YES_FEATURES.items():
            if (label, feature) not in seen:
                setattr(figures, attribute, 0)
        none = help_none.get(label) if (label, statistics.NEW_HELP_FEATURE) in seen else 0
        # Both published: the difference is public anyway; otherwise it stays secret.
        if none is not None:
            figures.new_help = figures.total - none
    _add_minors(published, by_label)
    return [by_label[label] for label in published.labels]


_YES_FEATURES = {
    "Erneute Meldung im Jahr": "repeated",
    "Anrufung des Familiengerichts": "family_court",
    "Vorläufige Schutzmaßnahme (§ 42)": "section_42",
}


def _add_minors(published: PublishedTable, by_label: dict[str, KeyFigures]) -> None:
    ids = list(published.scope.municipality_ids)
    names = dict(Municipality.objects.filter(pk__in=ids).values_list("name", "pk"))
    minors = minors_by_municipality(municipality_ids=ids, year=published.year)
    for label, figures in by_label.items():
        if label == published.scope.sum_label and len(published.labels) > 1:
            members = [names.get(name) for name in published.labels if name != label]
            if members and all(m in minors for m in members):
                figures.minors = sum(minors[m][1] for m in members)
                figures.minors_year = max(minors[m][0] for m in members)
            continue
        pk = names.get(label)
        if pk in minors:
            figures.minors_year, figures.minors = minors[pk]


def empty_figures(label: str, year: int, municipality_id: int | None = None) -> KeyFigures:
    """Figures of a commune without assessed procedures in the year (all zero)."""
    figures = KeyFigures(label, year, total=0, repeated=0, family_court=0, section_42=0)
    figures.new_help = 0
    figures.results = [(c, str(StatisticResult(c).label), 0, None) for c in RESULTS]
    if municipality_id is not None:
        minors = minors_by_municipality(municipality_ids=[municipality_id], year=year)
        if municipality_id in minors:
            figures.minors_year, figures.minors = minors[municipality_id]
    return figures


@dataclass
class Comparison:
    """This year's and the previous year's figures of one commune (or sum)."""

    current: KeyFigures
    previous: KeyFigures | None

    def change(self, attribute: str) -> int | None:
        now = getattr(self.current, attribute)
        before = getattr(self.previous, attribute) if self.previous else None
        if now is None or before is None:
            return None
        return now - before


def scope_figures(*, scope: Scope, year: int) -> dict[str, Any]:
    """Everything the overview page and the API show for one scope and year."""
    current = published_table(scope=scope, year=year)
    previous = published_table(scope=scope, year=year - 1)
    now = key_figures(current)
    before = {f.label: f for f in key_figures(previous)}
    if scope.kind == "commune" and not now:
        now = [empty_figures(scope.label, year, scope.municipality_ids[0])]
    return {
        "scope": scope,
        "year": year,
        "threshold": current.threshold,
        "table": current,
        "comparisons": [Comparison(f, before.get(f.label)) for f in now],
    }


# --- deadlines kept --------------------------------------------------------------------------


@dataclass
class DeadlineFigure:
    label: str
    basis: int
    met: int | None  # None: kept secret

    @property
    def share(self) -> float | None:
        if self.met is None or not self.basis:
            return None
        return round(self.met / self.basis, 3)


def deadlines_kept(*, municipality_id: int, year: int) -> list[DeadlineFigure]:
    """Of the year's assessed procedures: first contact, assessment and feedback in time.

    A share is published only where the met and the missed count are each 0 or at least
    the threshold (the basis is the published total, so the share would reveal both).
    """
    threshold = min_count()
    qs = procedures_of(municipality_ids=[municipality_id], year=year)
    row = qs.aggregate(
        contact_basis=Count("id", filter=Q(first_contact_at__isnull=False)),
        contact_met=Count("id", filter=Q(first_contact_at__lte=F("first_contact_due"))),
        assessment_basis=Count("id", filter=Q(assessment_due__isnull=False)),
        assessment_met=Count("id", filter=Q(result_at__lte=F("assessment_due"))),
        feedback_basis=Count("id", filter=Q(feedback_due__isnull=False)),
        feedback_met=Count(
            "id", filter=Q(feedback_at__isnull=False, feedback_at__lte=F("feedback_due"))
        ),
    )

    def figure(label: str, key: str) -> DeadlineFigure:
        basis, met = row[f"{key}_basis"], row[f"{key}_met"]
        secret = any(0 < n < threshold for n in (basis, met, basis - met))
        return DeadlineFigure(label, basis, None if secret else met)

    return [
        figure(_("Erstkontakt in der Frist"), "contact"),
        figure(_("Gefährdungseinschätzung in der Frist abgezeichnet"), "assessment"),
        figure(_("Rückmeldung an die meldende Stelle in der Frist"), "feedback"),
    ]


# --- rows of the report to the Jugendhilfeausschuss -----------------------------------------


@dataclass
class ReportRow:
    """One line of the report's key-figure table: previous year, year, change."""

    label: str
    previous: Any
    current: Any
    change: Any = None
    share: float | None = None  # of the year's total (results)
    kind: str = "count"  # "count" or "rate"


def _diff(now: Any, before: Any) -> Any:
    if now is None or before is None:
        return None
    return round(now - before, 2) if isinstance(now, float) else now - before


def committee_rows(comparison: Comparison) -> list[ReportRow]:
    """The key figures the committee reads, in the order of the report."""
    now, before = comparison.current, comparison.previous
    rows = [
        ReportRow(
            _("Gefährdungseinschätzungen (§ 8a Abs. 1) insgesamt"),
            before.total if before else None,
            now.total,
            _diff(now.total, before.total if before else None),
        ),
        ReportRow(
            _("je 1.000 Minderjährige"),
            before.rate if before else None,
            now.rate,
            _diff(now.rate, before.rate if before else None),
            kind="rate",
        ),
        ReportRow(
            _("akute oder latente Gefährdung je 1.000 Minderjährige"),
            before.endangered_rate if before else None,
            now.endangered_rate,
            _diff(now.endangered_rate, before.endangered_rate if before else None),
            kind="rate",
        ),
    ]
    previous_results = {code: value for code, _l, value, _s in (before.results if before else [])}
    for code, label, value, share in now.results:
        rows.append(
            ReportRow(
                _("Ergebnis: %(result)s") % {"result": label},
                previous_results.get(code),
                value,
                _diff(value, previous_results.get(code)),
                share=share,
            )
        )
    for label, attribute in (
        (_("erneute Meldung im selben Jahr"), "repeated"),
        (_("Anrufung des Familiengerichts"), "family_court"),
        (_("vorläufige Schutzmaßnahme (§ 42)"), "section_42"),
        (_("neu eingeleitete Hilfe"), "new_help"),
    ):
        value = getattr(now, attribute)
        old = getattr(before, attribute) if before else None
        rows.append(ReportRow(label, old, value, _diff(value, old)))
    return rows


def category_rows(comparison: Comparison, attribute: str) -> list[ReportRow]:
    """Reporter categories or age groups: this year's categories beside last year's."""
    now = dict(getattr(comparison.current, attribute))
    before = dict(getattr(comparison.previous, attribute)) if comparison.previous else {}
    labels = list(now) + [label for label in before if label not in now]
    return [
        ReportRow(
            label,
            before.get(label, 0 if comparison.previous and comparison.previous.total else None),
            now.get(label, 0 if comparison.current.total is not None else None),
            _diff(now.get(label), before.get(label)),
        )
        for label in labels
    ]


def result_counts(
    *, municipality_ids: list[int], since: dt.datetime | None, until: dt.datetime | None
) -> dict[int, dict[str, int]]:
    """Assessed procedures per commune and result in a period (the statistic's counting
    rule: the time the assessment was signed). For the cross-commune comparison, which
    adds its own noise and suppression before anything is shown."""
    qs = Procedure.objects.filter(municipality_id__in=municipality_ids).exclude(result="")
    if since is not None:
        qs = qs.filter(result_at__gte=since)
    if until is not None:
        qs = qs.filter(result_at__lt=until)
    out: dict[int, dict[str, int]] = {}
    for row in qs.order_by().values("municipality_id", "result").annotate(n=Count("id")):
        out.setdefault(row["municipality_id"], dict.fromkeys(RESULTS, 0))[row["result"]] = row["n"]
    return out


def network_coverage(*, municipality_id: int) -> dict[str, Any]:
    """The network against § 3 Abs. 2 KKG: which member categories the commune's
    registered institutions cover, and which are missing (master data, no cases)."""
    from registry.models import Institution
    from registry.taxonomy import KKG_CATEGORIES, kkg_gaps

    types = set(
        Institution.objects.filter(municipality_id=municipality_id)
        .exclude(institution_type="")
        .values_list("institution_type", flat=True)
    )
    try:
        gaps = kkg_gaps(types)
    except KeyError:  # an outdated type code: count only the known ones
        from registry.taxonomy import get_institution_type

        known = set()
        for code in types:
            try:
                get_institution_type(code)
            except KeyError:
                continue
            known.add(code)
        gaps = kkg_gaps(known)
    return {
        "covered": len(KKG_CATEGORIES) - len(gaps),
        "total": len(KKG_CATEGORIES),
        "missing": [category.label for category in gaps],
    }
