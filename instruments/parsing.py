"""Reading an uploaded instrument (YAML) with errors that name the line.

The file is composed into YAML nodes first, so every complaint can point at the line of
the offending node; only a file without errors becomes a definition (plain dict, stored
as JSON on the version and read with ``cases.instruments.parse_instrument``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _

MAX_BYTES = 512 * 1024
AGE_BANDS = ("0-3", "3-6", "6-14", "14-18")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Zeile %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class InstrumentFileError(ValueError):
    """The upload is not a valid instrument; ``problems`` name the lines."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(node: yaml.Node, where: str, problems: list[Problem]) -> dict[str, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        problems.append(
            Problem(
                _line(node),
                _("%(where)s muss eine Zuordnung (key: value) sein.") % {"where": where},
            )
        )
        return None
    out: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key in out:
            problems.append(
                Problem(_line(key_node), _("„%(key)s“ kommt doppelt vor.") % {"key": key})
            )
        out[key] = value_node
    return out


def _scalar(
    fields: dict[str, yaml.Node], name: str, parent: yaml.Node, where: str, problems: list[Problem]
) -> str | None:
    node = fields.get(name)
    if node is None:
        problems.append(
            Problem(
                _line(parent), _("%(where)s: „%(name)s“ fehlt.") % {"where": where, "name": name}
            )
        )
        return None
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        problems.append(
            Problem(
                _line(node),
                _("%(where)s: „%(name)s“ muss ein nicht leerer Text sein.")
                % {"where": where, "name": name},
            )
        )
        return None
    return str(node.value).strip()


def _sequence(
    fields: dict[str, yaml.Node], name: str, parent: yaml.Node, where: str, problems: list[Problem]
) -> list[yaml.Node]:
    node = fields.get(name)
    if node is None:
        problems.append(
            Problem(
                _line(parent), _("%(where)s: „%(name)s“ fehlt.") % {"where": where, "name": name}
            )
        )
        return []
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        problems.append(
            Problem(
                _line(node),
                _("%(where)s: „%(name)s“ muss eine nicht leere Liste sein.")
                % {"where": where, "name": name},
            )
        )
        return []
    return list(node.value)


def parse_instrument_file(text: str) -> dict[str, Any]:
    """The definition of an uploaded instrument, or ``InstrumentFileError`` with line numbers."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise InstrumentFileError([Problem(1, _("Die Datei ist größer als 512 KB."))])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = _("kein gültiges YAML (%(p)s)") % {"p": exc.problem or exc}
        if exc.context_mark and exc.context_mark.line + 1 != line:
            # An unclosed bracket is found only at the end; say where it was opened.
            message += " " + _("– begonnen in Zeile %(n)s") % {"n": exc.context_mark.line + 1}
        raise InstrumentFileError([Problem(line, message)]) from exc
    except yaml.YAMLError as exc:
        raise InstrumentFileError([Problem(1, _("kein gültiges YAML"))]) from exc
    if root is None:
        raise InstrumentFileError([Problem(1, _("Die Datei ist leer."))])
    problems: list[Problem] = []
    top = _mapping(root, _("Das Instrument"), problems)
    if top is None:
        raise InstrumentFileError(problems)
    where = _("Instrument")
    key = _scalar(top, "key", root, where, problems)
    if key and not all(c.isalnum() or c in "-_" for c in key):
        problems.append(
            Problem(_line(top["key"]), _("„key“ darf nur Buchstaben, Ziffern, - und _ enthalten."))
        )
    title = _scalar(top, "title", root, where, problems)
    example = False
    if "example" in top:
        example = str(top["example"].value).lower() in ("true", "yes", "ja", "1")

    bands: list[dict[str, str]] = []
    band_codes: set[str] = set()
    for node in _sequence(top, "age_bands", root, where, problems):
        fields = _mapping(node, _("Altersstufe"), problems)
        if fields is None:
            continue
        code = _scalar(fields, "code", node, _("Altersstufe"), problems)
        label = _scalar(fields, "label", node, _("Altersstufe"), problems)
        if code and code not in AGE_BANDS:
            problems.append(
                Problem(
                    _line(fields["code"]),
                    _("Unbekannte Altersstufe „%(c)s“ (erlaubt: %(a)s).")
                    % {"c": code, "a": ", ".join(AGE_BANDS)},
                )
            )
        elif code and label:
            bands.append({"code": code, "label": label})
            band_codes.add(code)

    scale: list[dict[str, Any]] = []
    values: set[str] = set()
    for node in _sequence(top, "scale", root, where, problems):
        fields = _mapping(node, _("Skalenstufe"), problems)
        if fields is None:
            continue
        raw = _scalar(fields, "value", node, _("Skalenstufe"), problems)
        label = _scalar(fields, "label", node, _("Skalenstufe"), problems)
        if raw is None or label is None:
            continue
        if not raw.isdigit():
            problems.append(
                Problem(
                    _line(fields["value"]),
                    _("Der Wert einer Skalenstufe muss eine ganze Zahl sein."),
                )
            )
            continue
        if raw in values:
            problems.append(
                Problem(
                    _line(fields["value"]), _("Skalenwert %(v)s kommt doppelt vor.") % {"v": raw}
                )
            )
        values.add(raw)
        scale.append({"value": int(raw), "label": label})

    sections: list[dict[str, Any]] = []
    section_keys: set[str] = set()
    for node in _sequence(top, "sections", root, where, problems):
        fields = _mapping(node, _("Abschnitt"), problems)
        if fields is None:
            continue
        skey = _scalar(fields, "key", node, _("Abschnitt"), problems)
        stitle = _scalar(fields, "title", node, _("Abschnitt"), problems)
        label = _("Abschnitt „%(k)s“") % {"k": skey or "?"}
        if skey in section_keys:
            problems.append(
                Problem(
                    _line(fields["key"]), _("Abschnitt „%(k)s“ kommt doppelt vor.") % {"k": skey}
                )
            )
        section_keys.add(skey or "")
        items: list[dict[str, Any]] = []
        item_keys: set[str] = set()
        for item_node in _sequence(fields, "items", node, label, problems):
            item = _mapping(item_node, _("Merkmal"), problems)
            if item is None:
                continue
            ikey = _scalar(item, "key", item_node, label, problems)
            text_value = _scalar(item, "text", item_node, label, problems)
            if ikey in item_keys:
                problems.append(
                    Problem(
                        _line(item["key"]),
                        _("Merkmal „%(k)s“ kommt in %(s)s doppelt vor.") % {"k": ikey, "s": label},
                    )
                )
            item_keys.add(ikey or "")
            anchors: dict[str, str] = {}
            if "anchors" in item:
                anchor_fields = _mapping(item["anchors"], _("Ankerbeispiele"), problems) or {}
                for value, anchor_node in anchor_fields.items():
                    if value not in values:
                        problems.append(
                            Problem(
                                _line(anchor_node),
                                _("Ankerbeispiel für Stufe %(v)s, die es auf der Skala nicht gibt.")
                                % {"v": value},
                            )
                        )
                    anchors[value] = str(anchor_node.value)
            item_bands = None
            if "age_bands" in item:
                band_node = item["age_bands"]
                if not isinstance(band_node, yaml.SequenceNode):
                    problems.append(
                        Problem(_line(band_node), _("„age_bands“ muss eine Liste sein."))
                    )
                else:
                    item_bands = [str(b.value) for b in band_node.value]
                    problems.extend(
                        Problem(
                            _line(b),
                            _("Altersstufe „%(c)s“ ist oben nicht definiert.") % {"c": b.value},
                        )
                        for b in band_node.value
                        if str(b.value) not in band_codes
                    )
            if ikey and text_value:
                entry: dict[str, Any] = {"key": ikey, "text": text_value, "anchors": anchors}
                if item_bands:
                    entry["age_bands"] = item_bands
                items.append(entry)
        if skey and stitle:
            sections.append({"key": skey, "title": stitle, "items": items})

    if problems:
        problems.sort(key=lambda p: p.line)
        raise InstrumentFileError(problems)
    return {
        "key": key,
        "title": title,
        "example": example,
        "age_bands": bands,
        "scale": scale,
        "sections": sections,
    }
