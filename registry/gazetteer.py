"""The Bundesland of known communes, from a small local table (``data/communes_states.csv``).

Partner communes are created from a model commune's partner list, which names no Land;
without this table 10 of the 14 communes of the seed profiles showed "unbekannt" although
their Land is public knowledge. Names are compared by :func:`registry.matching.core_name`
(no body prefix, no "am Rhein"), the key the importer's matching uses.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from registry.matching import core_name

TABLE = Path(__file__).resolve().parent / "data" / "communes_states.csv"


def parse(text: str) -> dict[str, str]:
    """core name → state code; raises ValueError naming the line of a malformed row."""
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not rows or rows[0].strip() != "name;state":
        raise ValueError("line 1: header must be name;state")
    result: dict[str, str] = {}
    for number, row in enumerate(csv.reader(rows[1:], delimiter=";"), 2):
        if len(row) != 2 or len(row[1].strip()) != 2:
            raise ValueError(f"line {number}: expected name;two-letter state code")
        result[core_name(row[0])] = row[1].strip().upper()
    return result


@cache
def _table() -> dict[str, str]:
    return parse(TABLE.read_text(encoding="utf-8"))


def state_code_for(name: str) -> str | None:
    """The state code of a commune by name ("Stadt Ludwigshafen" → "RP"), or None."""
    return _table().get(core_name(name))
