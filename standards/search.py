"""German search over the standards library, on SQLite and PostgreSQL alike.

Each document keeps ``search_text``: the Snowball stems of its title, summary and newest
version text (``core.search``). A query matches when every stem of it occurs in that
column; stems match inside compounds, so "Übergabe" finds "Übergabevereinbarung".
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from core.search import normalise_text, snowball_stem

_WORD = re.compile(r"[0-9a-zäöüß]+")
# Words that carry no meaning in a search, and the words of a question such as
# "was haben andere Kommunen zu …".
_STOP_WORDS = (
    "der die das und oder ein eine einer eines einem einen in im am an auf aus bei mit "
    "nach von vom zu zum zur für ist sind nicht es wie was haben andere anderen"
)
_STOP = frozenset(_STOP_WORDS.split())


def stems(text: str) -> list[str]:
    """The stems of ``text`` in order, without stop words and one-letter words."""
    words = _WORD.findall(normalise_text(text or ""))
    return [snowball_stem(w) for w in words if w not in _STOP and len(w) > 1]


def search_text(*parts: str) -> str:
    return " ".join(stems(" ".join(p for p in parts if p)))


def filter_by_query(qs: QuerySet, query: str) -> QuerySet:
    """``qs`` reduced to rows whose ``search_text`` holds every stem of ``query``."""
    condition = Q()
    for stem in dict.fromkeys(stems(query)):
        condition &= Q(search_text__icontains=stem)
    return qs.filter(condition)
