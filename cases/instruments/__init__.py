"""Risk-assessment instruments as data: YAML files with sections, items, scale, age bands.

An instrument is identified by ``key`` and ``version``; an assessment stores both so that
a later version of the form never changes what an earlier assessment meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

INSTRUMENT_DIR = Path(__file__).parent
DEFAULT_INSTRUMENT = "beispiel-gefaehrdungseinschaetzung"


class InstrumentError(ValueError):
    """An instrument file is malformed."""


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    anchors: dict[str, str]
    age_bands: tuple[str, ...] | None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Instrument:
    key: str
    version: str
    title: str
    example: bool
    age_bands: tuple[tuple[str, str], ...]
    scale: tuple[tuple[int, str], ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def items_for(self, age_band: str) -> list[tuple[Section, list[Item]]]:
        """Sections with the items that apply to ``age_band``."""
        out = []
        for section in self.sections:
            items = [i for i in section.items if i.age_bands is None or age_band in i.age_bands]
            if items:
                out.append((section, items))
        return out

    def validate_answers(self, age_band: str, answers: dict[str, Any]) -> dict[str, int]:
        """Keep only known items with values on the scale; raise on anything else."""
        if age_band not in {code for code, _ in self.age_bands}:
            raise InstrumentError(f"Unbekannte Altersstufe {age_band}")
        allowed = {f"{s.key}.{i.key}" for s, items in self.items_for(age_band) for i in items}
        values = {v for v, _ in self.scale}
        clean: dict[str, int] = {}
        for key, value in answers.items():
            if value in (None, ""):
                continue
            if key not in allowed:
                raise InstrumentError(f"Unbekanntes Merkmal {key}")
            if int(value) not in values:
                raise InstrumentError(f"Ungültige Stufe {value} bei {key}")
            clean[key] = int(value)
        return clean


def _parse(data: dict[str, Any]) -> Instrument:
    try:
        sections = tuple(
            Section(
                key=s["key"],
                title=s["title"],
                items=tuple(
                    Item(
                        key=i["key"],
                        text=i["text"],
                        anchors={str(k): v for k, v in (i.get("anchors") or {}).items()},
                        age_bands=tuple(i["age_bands"]) if i.get("age_bands") else None,
                    )
                    for i in s["items"]
                ),
            )
            for s in data["sections"]
        )
        return Instrument(
            key=data["key"],
            version=str(data["version"]),
            title=data["title"],
            example=bool(data.get("example", False)),
            age_bands=tuple((b["code"], b["label"]) for b in data["age_bands"]),
            scale=tuple((int(s["value"]), s["label"]) for s in data["scale"]),
            sections=sections,
        )
    except (KeyError, TypeError) as exc:
        raise InstrumentError(f"Instrument unvollständig: {exc}") from exc


def parse_instrument(data: dict[str, Any], *, version: str | None = None) -> Instrument:
    """An instrument from its definition (e.g. stored by the instruments app as JSON)."""
    if version is not None:
        data = {**data, "version": version}
    return _parse(data)


@lru_cache(maxsize=16)
def load_instrument(key: str = DEFAULT_INSTRUMENT, directory: str | None = None) -> Instrument:
    """Load ``<key>.yaml`` from the instrument directory."""
    path = Path(directory or INSTRUMENT_DIR) / f"{key}.yaml"
    if not path.exists():
        raise InstrumentError(f"Instrument {key} nicht gefunden")
    return _parse(yaml.safe_load(path.read_text(encoding="utf-8")))


def resolve_instrument(*, key: str, version: str, municipality_id: int | None) -> Instrument:
    """The exact version an assessment was made with, so it reads the same form forever.

    Versions live in the ``instruments`` app (the commune's own or a shipped example); the
    file in this folder is only the fallback of the shipped example's first version.
    """
    from instruments.selectors import instrument_version_definition

    found = instrument_version_definition(key=key, version=version, municipality_id=municipality_id)
    return found if found is not None else load_instrument(key)


def current_instrument(
    *, municipality_id: int, institution_type: str = "youth_office"
) -> Instrument:
    """The newest version the commune publishes for this institution type (the Jugendamt's
    by default); the shipped example when the commune has none."""
    from instruments.selectors import as_definition, instrument_current_for

    version = instrument_current_for(
        municipality_id=municipality_id, institution_type=institution_type
    )
    return as_definition(version) if version is not None else load_instrument()


def available_instruments() -> list[Instrument]:
    return [load_instrument(p.stem) for p in sorted(INSTRUMENT_DIR.glob("*.yaml"))]


def age_band_for_age(age: int) -> str:
    """The instrument age band of a child aged ``age``."""
    if age < 3:
        return "0-3"
    if age < 6:
        return "3-6"
    if age < 14:
        return "6-14"
    return "14-18"
