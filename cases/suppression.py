"""Complementary suppression of the § 8a tables (statistische Geheimhaltung).

Primary suppression hides counts 1 … threshold-1. That alone is not enough: the tables publish
row totals (Insgesamt per category) and, per feature, the commune's totals per result, so a
single hidden cell in a row or column can be recomputed by subtraction. Secondary suppression
hides further cells until no hidden cell is determined by the published ones:

1. every additive relation (row: total = sum of the four results; column: the categories of
   a feature add up to the commune's total) holds zero or at least two hidden cells, and
2. exactly: a hidden cell is determined iff its unit vector lies in the row space of the
   relation matrix restricted to the hidden cells (solution set = one point + null space).
   We check that with Gaussian elimination over a large prime field (the relations have
   coefficients 0/±1, so the rank over GF(p) equals the rank over Q) and hide one more cell
   where a hidden cell is still determined.

Secondary cells are the smallest non-zero published cells of a relation (zeros are never
hidden: a hidden zero could be pinned by non-negativity). The cells are (row index, column)
with column 0 = Insgesamt and 1…4 = the results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

Cell = tuple[int, int]
Relation = list[tuple[Cell, int]]  # sum(coef * value) == 0

TOTAL_FEATURE = "Insgesamt"
# Features whose categories are multiple responses: no column relation to the total.
MULTIPLE = frozenset(
    {
        "Art der Kindeswohlgefährdung (Mehrfachnennungen)",
        "Neu eingeleitete Hilfen (Mehrfachnennungen)",
    }
)
NEW_HELP = "Neu eingeleitete Hilfen (Mehrfachnennungen)"
# Asked only for akute/latente Gefährdung: the categories add up to those two columns.
ENDANGERED_ONLY = frozenset({"Gefährdung ging aus von"})
ACUTE_COL, LATENT_COL = 1, 2
N_COLS = 5
_PRIME = (1 << 61) - 1


def relations(
    rows: Sequence[Any], sum_of: Mapping[str, Sequence[str]] | None = None
) -> list[Relation]:
    """The additive relations a reader of the published table can use.

    ``sum_of`` names rows that are the sum of other communes' rows ({"Alle Kommunen":
    [commune names]}): each of their cells equals the sum of the same feature, category
    and column over those communes. The product publishes such sums only through
    :func:`published_sum`; the relations serve the attack test.
    """
    out: list[Relation] = []
    by_commune: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    by_key: dict[tuple[str, str, str], int] = {}
    for index, row in enumerate(rows):
        by_commune[row.municipality][row.feature].append(index)
        by_key[(row.municipality, row.feature, row.category)] = index
        out.append([((index, 0), 1)] + [((index, col), -1) for col in range(1, N_COLS)])
    for label, members in (sum_of or {}).items():
        for (municipality, feature, category), index in by_key.items():
            if municipality != label:
                continue
            parts = [
                by_key[(m, feature, category)] for m in members if (m, feature, category) in by_key
            ]
            out.extend(
                [((index, col), 1)] + [((i, col), -1) for i in parts] for col in range(N_COLS)
            )
    for features in by_commune.values():
        totals = features.get(TOTAL_FEATURE)
        if not totals:
            continue
        total = totals[0]
        for feature, indices in features.items():
            if feature == NEW_HELP and len(indices) > 1:
                # Multiple responses, but not free: every procedure either has no new help
                # (the block's first row) or at least one. Where the help rows are all 0
                # the first row IS the total; treating "total = none + Σ helps" as a
                # relation protects that case (it only ever hides more, never less).
                out.extend(
                    [((total, col), 1)] + [((i, col), -1) for i in indices] for col in range(N_COLS)
                )
                continue
            if feature in (TOTAL_FEATURE, *MULTIPLE):
                continue
            if feature in ENDANGERED_ONLY:
                out.extend(
                    [((total, col), 1)] + [((i, col), -1) for i in indices]
                    for col in (ACUTE_COL, LATENT_COL)
                )
                out.append(
                    [((total, ACUTE_COL), 1), ((total, LATENT_COL), 1)]
                    + [((i, 0), -1) for i in indices]
                )
                continue
            out.extend(
                [((total, col), 1)] + [((i, col), -1) for i in indices] for col in range(N_COLS)
            )
    return out


def value_of(rows: Sequence[Any], cell: Cell) -> int:
    row = rows[cell[0]]
    if cell[1] == 0:
        return row.total
    return list(row.counts.values())[cell[1] - 1]


def determined_cells(hidden: set[Cell], rels: list[Relation]) -> set[Cell]:
    """Hidden cells whose value follows from the published cells (exact linear algebra)."""
    if not hidden:
        return set()
    order = sorted(hidden)
    position = {cell: i for i, cell in enumerate(order)}
    matrix = []
    for rel in rels:
        row = {}
        for cell, coef in rel:
            if cell in position:
                row[position[cell]] = coef % _PRIME
        if row:
            matrix.append(row)
    # Reduced row echelon form over GF(p), rows as sparse dicts.
    pivots: dict[int, dict[int, int]] = {}
    for row in matrix:
        row = dict(row)
        for col in sorted(row):
            if col in pivots and row.get(col):
                factor = row[col]
                for c, v in pivots[col].items():
                    row[c] = (row.get(c, 0) - factor * v) % _PRIME
                row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        lead = min(row)
        inverse = pow(row[lead], _PRIME - 2, _PRIME)
        row = {c: v * inverse % _PRIME for c, v in row.items()}
        for other in pivots.values():
            if other.get(lead):
                factor = other[lead]
                for c, v in row.items():
                    other[c] = (other.get(c, 0) - factor * v) % _PRIME
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        pivots[lead] = row
    # A pivot variable is determined iff its reduced row has no free variable in it.
    return {order[lead] for lead, row in pivots.items() if set(row) == {lead}}


def complementary(rows: Sequence[Any], threshold: int) -> set[Cell]:
    """The cells to hide: primary (1 … threshold-1) plus the secondary ones."""
    if threshold <= 1:
        return set()
    hidden: set[Cell] = set()
    for index in range(len(rows)):
        for col in range(N_COLS):
            if 0 < value_of(rows, (index, col)) < threshold:
                hidden.add((index, col))
    if not hidden:
        return hidden
    rels = relations(rows)
    by_cell: dict[Cell, list[int]] = defaultdict(list)
    for number, rel in enumerate(rels):
        for cell, _coef in rel:
            by_cell[cell].append(number)

    def partner(rel: Relation) -> Cell | None:
        candidates = [cell for cell, _c in rel if cell not in hidden and value_of(rows, cell) > 0]
        if not candidates:
            return None
        # Prefer small inner cells over totals: they cost the reader the least information.
        return min(candidates, key=lambda c: (c[1] == 0, value_of(rows, c), c))

    for _round in range(10 * len(rows) + 10):
        changed = True
        while changed:
            changed = False
            for rel in rels:
                if sum(1 for cell, _c in rel if cell in hidden) == 1:
                    extra = partner(rel)
                    if extra is not None:
                        hidden.add(extra)
                        changed = True
        exposed = determined_cells(hidden, rels)
        if not exposed:
            return hidden
        cell = min(exposed)
        extra = next((e for e in (partner(rels[n]) for n in by_cell[cell]) if e is not None), None)
        if extra is None:
            # Determined through a chain of relations: widen to every relation of the
            # commune that holds a hidden cell and take its smallest publishable cell.
            commune = rows[cell[0]].municipality
            candidates = [
                e
                for rel in rels
                if rows[rel[0][0][0]].municipality == commune and any(c in hidden for c, _ in rel)
                for e in [partner(rel)]
                if e is not None
            ]
            if not candidates:
                return hidden  # every non-zero cell of the commune is hidden already
            extra = min(candidates, key=lambda c: (c[1] == 0, value_of(rows, c), c))
        hidden.add(extra)
    return hidden


def published_sum(
    lines: Sequence[Sequence[Any]], label: str, suppressed: str = "."
) -> list[list[Any]]:
    """The sum of several communes' *published* table lines under ``label``.

    A cell of the sum is published only where every commune's cell is published; it is
    then the sum of public values and tells nothing new. Suppressing the sum on its own
    would not do: a sum cell minus the communes' published cells gives back a hidden one
    (``test_sum_suppressed_on_its_own_would_leak_a_commune``). Lines are
    ``[commune, feature, category, *cells]``; a category missing in a commune counts 0.
    """
    sums: dict[tuple[str, str], list[Any]] = {}
    for line in lines:
        key = (line[1], line[2])
        cells = list(line[3:])
        if key not in sums:
            sums[key] = cells
            continue
        sums[key] = [
            suppressed if suppressed in (a, b) else a + b
            for a, b in zip(sums[key], cells, strict=True)
        ]
    return [[label, feature, category, *cells] for (feature, category), cells in sums.items()]
