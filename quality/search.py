"""Search and similarity over all communes' interests, topics and outcomes.

One interface (``search``) over two engines: SQLite FTS5 on our own German stems, and
PostgreSQL full-text search with its ``german`` configuration. Similarity
("ähnliche Ergebnisse in anderen Kommunen") is TF-IDF cosine over German stems,
compound parts and stem trigrams (``quality.german``), computed in memory.
"""

from __future__ import annotations

import heapq
import math
import threading
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from core.search import PG_WEBSEARCH_QUERY, fts5_prefix_query, is_postgresql
from quality import german
from quality.models import DevelopmentInterest, Outcome, SearchDocument, Topic

KIND_MODELS: dict[str, type] = {
    "interest": DevelopmentInterest,
    "topic": Topic,
    "outcome": Outcome,
}
MODEL_KINDS = {model: kind for kind, model in KIND_MODELS.items()}


def document_for(item: Any) -> SearchDocument:
    """The index row of one interest, topic or outcome (unsaved)."""
    return SearchDocument(
        kind=MODEL_KINDS[type(item)],
        object_id=item.pk,
        municipality_id=item.municipality_id,
        text=item.text,
        stems=" ".join(german.stems(item.text)),
        parts=" ".join(german.compound_parts(item.text)),
        status=getattr(item, "status", ""),
        scope=getattr(item, "scope", ""),
    )


def search_index_update(item: Any) -> bool:
    """Insert or refresh the index row of one item; True when its text changed.

    Similarity depends on text only, so a status change keeps the cached index.
    """
    doc = document_for(item)
    previous = (
        SearchDocument.objects.filter(kind=doc.kind, object_id=doc.object_id)
        .values_list("text", flat=True)
        .first()
    )
    changed = previous != doc.text
    defaults = {
        "municipality_id": doc.municipality_id,
        "text": doc.text,
        "stems": doc.stems,
        "parts": doc.parts,
        "status": doc.status,
        "scope": doc.scope,
    }
    if changed:
        defaults["text_changed_at"] = timezone.now()
    SearchDocument.objects.update_or_create(
        kind=doc.kind, object_id=doc.object_id, defaults=defaults
    )
    if changed:
        invalidate_similarity_cache()
    return changed


def search_index_remove(item: Any) -> None:
    SearchDocument.objects.filter(kind=MODEL_KINDS[type(item)], object_id=item.pk).delete()


def search_index_rebuild() -> int:
    """Rebuild the whole index, e.g. after bulk loads that bypass signals."""
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        rows: list[SearchDocument] = []
        for model in KIND_MODELS.values():
            rows.extend(document_for(item) for item in model.objects.all().iterator())
        SearchDocument.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: int
    text: str
    municipality_id: int
    municipality_name: str
    municipality_slug: str
    status: str
    scope: str
    score: float

    @property
    def kind_label(self) -> str:
        return str(KIND_MODELS[self.kind]._meta.verbose_name)

    @property
    def status_label(self) -> str:
        from quality.choices import OutcomeStatus

        return str(OutcomeStatus(self.status).label) if self.status else ""

    @property
    def url(self) -> str:
        from django.urls import reverse

        if self.kind == "outcome":
            return reverse("quality:outcome_detail", args=[self.object_id])
        return reverse("quality:item_similar", args=[self.kind, self.object_id])


def _filters_sql(
    *,
    state: str,
    cluster: int | None,
    status: str,
    scope: str,
    kinds: Iterable[str] | None,
    municipality_id: int | None,
    exclude_municipality_id: int | None,
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if state:
        clauses.append("s.code = %s")
        params.append(state)
    if cluster is not None:
        clauses.append("c.number = %s")
        params.append(cluster)
    if status:
        clauses.append("d.status = %s")
        params.append(status)
    if scope:
        clauses.append("d.scope = %s")
        params.append(scope)
    kinds = [k for k in (kinds or []) if k in KIND_MODELS]
    if kinds:
        clauses.append("d.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")")
        params.extend(kinds)
    if municipality_id is not None:
        clauses.append("d.municipality_id = %s")
        params.append(municipality_id)
    if exclude_municipality_id is not None:
        clauses.append("d.municipality_id <> %s")
        params.append(exclude_municipality_id)
    return "".join(f" AND {c}" for c in clauses), params


_BASE_JOIN = (
    " JOIN registry_municipality m ON m.id = d.municipality_id"
    " LEFT JOIN registry_state s ON s.id = m.state_id"
    " LEFT JOIN registry_cluster c ON c.id = m.cluster_id"
)
_COLUMNS = "d.kind, d.object_id, d.text, d.municipality_id, m.name, m.slug, d.status, d.scope"


def search(
    *,
    query: str,
    state: str = "",
    cluster: int | None = None,
    status: str = "",
    scope: str = "",
    kinds: Iterable[str] | None = None,
    municipality_id: int | None = None,
    exclude_municipality_id: int | None = None,
    limit: int = 50,
) -> list[SearchHit]:
    """Full-text search with German stemming, best match first, on either engine."""
    where, params = _filters_sql(
        state=state,
        cluster=cluster,
        status=status,
        scope=scope,
        kinds=kinds,
        municipality_id=municipality_id,
        exclude_municipality_id=exclude_municipality_id,
    )
    if not query.strip():
        return []
    # Only constant fragments are joined below; every value is a bound parameter.
    if is_postgresql():
        vector = "d.search_vector"  # generated column (migration 0007)
        select = f"SELECT {_COLUMNS}, ts_rank({vector}, q) AS s"
        parts = [
            select,  # noqa: S608
            "FROM quality_searchdocument d" + _BASE_JOIN + ",",
            f"{PG_WEBSEARCH_QUERY} q",
            f"WHERE {vector} @@ q" + where,
            "ORDER BY s DESC, d.id LIMIT %s",
        ]
        args = [query, *params, limit]
    else:
        # Our stems (the FTS5 table holds them), each a prefix: "einschatz"* also finds
        # "einschatzbog…".
        match = fts5_prefix_query(german.stems(query))
        if not match:
            return []
        select = f"SELECT {_COLUMNS}, -bm25(quality_search_fts) AS s"
        parts = [
            select,  # noqa: S608
            "FROM quality_search_fts JOIN quality_searchdocument d",
            "ON d.id = quality_search_fts.rowid" + _BASE_JOIN,
            "WHERE quality_search_fts MATCH %s" + where,
            "ORDER BY s DESC, d.id LIMIT %s",
        ]
        args = [match, *params, limit]
    sql = " ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    return [SearchHit(*row[:8], score=float(row[8])) for row in rows]


# --------------------------------------------------------------------------------------
# Similarity: TF-IDF cosine
# --------------------------------------------------------------------------------------


@dataclass
class _Doc:
    id: int
    kind: str
    object_id: int
    municipality_id: int


TRIGRAM_WEIGHT = 0.5


class SimilarityIndex:
    """An in-memory TF-IDF index with impact-ordered posting lists.

    Each feature's postings are sorted by weight, and a query reads at most
    ``postings_cap`` of them per feature: the documents where the feature matters most.
    The best candidates are then scored exactly (cosine over full vectors). On small
    corpora (every list shorter than the cap) the result is exact; on large ones the
    cost per query stays bounded however common a word is.
    """

    def __init__(
        self, rows: Iterable[tuple[int, str, int, int, str]], postings_cap: int = 1000
    ) -> None:
        self.docs: list[_Doc] = []
        self.texts: list[str] = []
        counts: list[Counter[str]] = []
        df: Counter[str] = Counter()
        for pk, kind, object_id, municipality_id, text in rows:
            feats = german.features(text)
            self.docs.append(_Doc(pk, kind, object_id, municipality_id))
            self.texts.append(text)
            counts.append(feats)
            df.update(feats.keys())
        n = max(len(self.docs), 1)
        self.n = n
        self.cap = postings_cap
        self.idf = {f: math.log((1 + n) / (1 + d)) + 1 for f, d in df.items()}
        self.by_key: dict[tuple[str, int], int] = {}
        lists: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for index, (doc, feats) in enumerate(zip(self.docs, counts, strict=True)):
            self.by_key[(doc.kind, doc.object_id)] = index
            for feature, weight in self._weigh(feats).items():
                lists[feature].append((weight, index))
        # Compact arrays (indices, weights), strongest first: a few MB for 50,000 items.
        self.postings: dict[str, tuple[array, array]] = {}
        for feature, entries in lists.items():
            entries.sort(key=lambda e: (-e[0], e[1]))
            self.postings[feature] = (
                array("I", (i for _w, i in entries)),
                array("f", (w for w, _i in entries)),
            )

    def _weigh(self, feats: Counter[str]) -> dict[str, float]:
        # Trigrams only bridge compounds; at half weight the words themselves lead.
        vector = {
            f: (1 + math.log(c)) * self.idf.get(f, 1.0) * (TRIGRAM_WEIGHT if f[0] == "#" else 1.0)
            for f, c in feats.items()
        }
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {f: w / norm for f, w in vector.items()}

    def similar_to_text(
        self,
        text: str,
        *,
        exclude_municipality_id: int | None = None,
        exclude: tuple[str, int] | None = None,
        limit: int = 5,
        min_score: float = 0.08,
    ) -> list[tuple[_Doc, float]]:
        vector = self._weigh(german.features(text))
        scores: dict[int, float] = {}
        get = scores.get
        cap = self.cap
        for feature, weight in vector.items():
            entry = self.postings.get(feature)
            if entry is None:
                continue
            indices, weights = entry
            for index, other in zip(indices[:cap], weights[:cap], strict=True):
                scores[index] = get(index, 0.0) + weight * other
        skip = self.by_key.get(exclude) if exclude else None
        docs = self.docs
        wanted = (
            i
            for i in scores
            if i != skip
            and (
                exclude_municipality_id is None
                or docs[i].municipality_id != exclude_municipality_id
            )
        )
        candidates = heapq.nlargest(max(limit * 8, 40), wanted, key=scores.__getitem__)
        exact = []
        for i in candidates:
            other = self._weigh(german.features(self.texts[i]))
            score = sum(w * other.get(f, 0.0) for f, w in vector.items())
            if score >= min_score:
                exact.append((docs[i], score))
        exact.sort(key=lambda pair: (-pair[1], pair[0].id))
        return exact[:limit]


_cache_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "index": None}


def similarity_index() -> SimilarityIndex:
    """The index of the current search documents, rebuilt when they change."""
    state = SearchDocument.objects.aggregate(n=Count("id"), top=Max("id"), t=Max("text_changed_at"))
    key = (state["n"], state["top"], state["t"], _generation())
    with _cache_lock:
        if _cache["key"] != key:
            rows = SearchDocument.objects.values_list(
                "id", "kind", "object_id", "municipality_id", "text"
            ).order_by("id")
            _cache["index"] = SimilarityIndex(rows.iterator(chunk_size=5000))
            _cache["key"] = key
        return _cache["index"]


_generation_counter = [0]


def _generation() -> int:
    return _generation_counter[0]


def invalidate_similarity_cache() -> None:
    """Text edits keep count and max id; signals call this so the index is rebuilt."""
    _generation_counter[0] += 1


def similar_items(
    *, item: Any, limit: int = 5, other_communes_only: bool = True
) -> list[SearchHit]:
    """The most similar interests, topics and outcomes of other communes."""
    index = similarity_index()
    ranked = index.similar_to_text(
        item.text,
        exclude_municipality_id=item.municipality_id if other_communes_only else None,
        exclude=(MODEL_KINDS[type(item)], item.pk),
        limit=limit,
    )
    if not ranked:
        return []
    ids = [doc.id for doc, _score in ranked]
    rows = {
        d.pk: d for d in SearchDocument.objects.filter(pk__in=ids).select_related("municipality")
    }
    hits = []
    for doc, score in ranked:
        row = rows.get(doc.id)
        if row is None:
            continue
        hits.append(
            SearchHit(
                kind=row.kind,
                object_id=row.object_id,
                text=row.text,
                municipality_id=row.municipality_id,
                municipality_name=row.municipality.name,
                municipality_slug=row.municipality.slug,
                status=row.status,
                scope=row.scope,
                score=round(score, 3),
            )
        )
    return hits
