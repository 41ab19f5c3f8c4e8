"""The words parents use and the words offers are written in, brought together.

Three things make the directory find what a parent types:

* **Compound parts** are indexed beside the words, so "Hebamme" finds
  "Familienhebamme" and "Gruppe" finds "Krabbelgruppe". The splitter is the outcome
  search's (``quality.german.split_compound``: linking forms such as ``-schafts-``),
  followed by a split at the heads of early-help words below (``…hebamme``,
  ``…gruppe``, ``…beratung``). The parts go into ``Service.search_document``, so
  PostgreSQL's generated ``tsvector`` and the SQLite FTS5 index both hold them.
* **Synonyms, both ways**: each :class:`directory.models.SearchSynonym` row is a group of
  equivalent terms ("Hebamme, Familienhebamme, Geburtshilfe, midwife"); a query word
  that belongs to a group matches any of its terms. The groups are data (admin, seeded by
  migration 0004 from :data:`DEFAULT_SYNONYMS`), read at query time, so editing them
  needs no re-index. English terms sit in the same groups, which maps them onto the
  German vocabulary.
* **Stop words** of a question ("ich suche eine Hebamme in Bonn") are dropped from the
  query only; every other word must match (as one of its alternatives).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.search import snowball_stem
from quality.german import split_compound as _split_at_linking_forms

_WORD = re.compile(r"\w+", re.UNICODE)
_MIN_PART = 3

# Heads of early-help compounds: a word ending in one of them after at least three
# letters is split there ("Familien|hebamme", "Krabbel|gruppe", "Eltern|café").
# Longest first, so "sprechstunde" wins over "stunde".
DIRECTORY_HEADS: tuple[str, ...] = tuple(
    sorted(
        {
            "hebamme",
            "hebammen",
            "gruppe",
            "gruppen",
            "beratung",
            "beratungsstelle",
            "sprechstunde",
            "café",
            "cafe",
            "treff",
            "treffpunkt",
            "kurs",
            "kurse",
            "besuch",
            "besuche",
            "massage",
            "patenschaft",
            "förderung",
            "bildung",
            "zentrum",
            "schule",
            "hilfe",
            "hilfen",
            "begleitung",
            "betreuung",
            "pflege",
            "eltern",
            "kind",
            "kinder",
            "baby",
            "babys",
            "familie",
            "familien",
            "frühstück",
            "krankenschwester",
            "kinderkrankenschwester",
        },
        key=len,
        reverse=True,
    )
)

# Function words of questions in German and English. Dropped from the query only, never
# from the index; short on purpose: a dropped content word would widen the result.
_STOPWORD_TEXT = """
    a an and der die das den dem des ein eine einen einem einer eines ich wir mein meine
    meinen meinem meiner unser unsere für fur fuer mit in im am an auf bei beim von vom zu
    zum zur und oder gibt es suche suchen brauche brauchen wo wer was wie welche welcher
    nähe naehe near the for with my our i we need looking find where is are of to on at
"""
QUERY_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# The synonym groups migration 0004 loads (one string per group, terms separated by
# commas; English terms map a visitor's words onto the German vocabulary).
DEFAULT_SYNONYMS: tuple[str, ...] = (
    "Hebamme, Familienhebamme, Geburtshilfe, Wochenbett, midwife, midwives",
    "Krabbelgruppe, Eltern-Kind-Gruppe, Spielgruppe, playgroup, toddler group",
    "Baby, Säugling, Neugeborenes, infant, newborn",
    "Kleinkind, toddler",
    "Beratung, Sprechstunde, counselling, counseling, advice",
    "Erziehungsberatung, parenting advice",
    "Schwangerschaft, schwanger, Schwangere, pregnancy, pregnant",
    "Elterncafé, Elterntreff, Familiencafé, parent café, parents café",
    "Stillgruppe, Stillberatung, stillen, breastfeeding",
    "Alleinerziehende, alleinerziehend, single parent, single parents",
    "Väter, Vater, Papa, father, fathers, dad",
    "Mutter, Mütter, Mama, mother, mothers, mum, mom",
    "Frühförderung, Entwicklungsförderung, early intervention",
    "Behinderung, behindert, disability, disabled",
    "Sprachmittlung, Dolmetscher, mehrsprachig, interpreter, multilingual",
    "Willkommensbesuch, Begrüßungsbesuch, welcome visit",
    "Familienpatenschaft, Familienpate, Patenschaft, mentoring",
    "Elternkurs, Elternschule, Familienbildung, parenting course",
    "Babymassage, baby massage",
    "kostenlos, kostenfrei, gratis, free",
    "Hausbesuch, Hausbesuche, home visit",
    "Familie, family, families",
    "Kind, Kinder, child, children, kids",
    "Eltern, parents, parent",
    "Treff, Treffpunkt, meeting",
    "Kurs, course, class",
)


def words(text: str) -> list[str]:
    """Lower-case words of ``text``; lone digits dropped (same rule as the search)."""
    return [w for w in _WORD.findall(text.lower()) if not w.isdigit() or len(w) > 1]


def _split_known_head(word: str) -> list[str]:
    for head in DIRECTORY_HEADS:
        if word.endswith(head) and len(word) - len(head) >= _MIN_PART:
            return [*_split_known_head(word[: -len(head)]), head]
    return [word]


def split_compound(word: str) -> list[str]:
    """Parts of a German compound, or ``[word]`` when it is none.

    First at linking forms (the outcome search's splitter), then at early-help heads.
    """
    parts: list[str] = []
    for piece in _split_at_linking_forms(word.lower()):
        parts.extend(_split_known_head(piece))
    return parts


def compound_parts(text: str) -> list[str]:
    """The parts of every compound in ``text`` (unique, in order), for the index."""
    out: dict[str, None] = {}
    for word in words(text):
        parts = split_compound(word)
        if len(parts) > 1:
            out.update(dict.fromkeys(parts))
    return list(out)


def document_with_parts(text: str) -> str:
    """The search document: the text, then a line of its compound parts."""
    parts = compound_parts(text)
    return f"{text}\n{' '.join(parts)}" if parts else text


def phrase_key(text: str) -> str:
    """A term's lookup key: its words' stems, so "Hebammen" meets "Hebamme"."""
    return " ".join(snowball_stem(w) for w in words(text))


def synonym_index(groups: Iterable[str]) -> dict[str, list[str]]:
    """phrase key → every term of its group(s), from groups as comma-separated strings."""
    index: dict[str, list[str]] = {}
    for group in groups:
        terms = [t.strip() for t in group.split(",") if t.strip()]
        for term in terms:
            key = phrase_key(term)
            if not key:
                continue
            merged = index.setdefault(key, [])
            merged.extend(t for t in terms if t not in merged)
    return index


@dataclass(frozen=True)
class QueryPart:
    """One thing the query asks for: any of ``alternatives`` (each a list of words, all
    of which must match as prefixes of indexed stems)."""

    typed: str
    alternatives: tuple[tuple[str, ...], ...]


def parse_query(query: str, synonyms: Mapping[str, list[str]]) -> list[QueryPart]:
    """Split a query into the parts that must all match, with their synonyms.

    Multi-word terms are looked up first (longest phrase wins), so "Eltern-Kind-Gruppe"
    or "single parent" is one part. Stop words are dropped unless they start a phrase
    known as a synonym.
    """
    tokens = words(query)
    longest = max((key.count(" ") + 1 for key in synonyms), default=1)
    parts: list[QueryPart] = []
    i = 0
    while i < len(tokens):
        for length in range(min(longest, len(tokens) - i), 0, -1):
            phrase = tokens[i : i + length]
            key = " ".join(snowball_stem(w) for w in phrase)
            if key in synonyms:
                alternatives = {tuple(phrase): None}
                for term in synonyms[key]:
                    term_words = tuple(words(term))
                    if term_words:
                        alternatives[term_words] = None
                parts.append(QueryPart(" ".join(phrase), tuple(alternatives)))
                i += length
                break
        else:
            word = tokens[i]
            if word not in QUERY_STOPWORDS:
                # A typed compound also matches an offer that names all of its parts
                # ("Hebammenberatung" finds "Beratung durch Hebammen").
                pieces = tuple(split_compound(word))
                alternatives = ((word,), pieces) if len(pieces) > 1 else ((word,),)
                parts.append(QueryPart(word, alternatives))
            i += 1
    return parts
