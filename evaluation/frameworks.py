"""Evaluation frameworks as versioned YAML: parsing and validation with line numbers.

A framework is the questionnaire of an evaluation round: dimensions with statements, an
answer scale (1–5 with labels plus "kann ich nicht beurteilen"), optional free-text
questions, and which institution types are asked what. Communes adapt frameworks, and a
coordinator who edits YAML by hand needs to know *where* a mistake is. So the document is
composed (``yaml.compose``) rather than loaded: every node keeps its start mark, and every
error names the line it refers to ("Zeile 12: …").

Format (``schema: ksqm-evaluation/1``)::

    schema: ksqm-evaluation/1
    key: netzwerk-kinderschutz          # slug, stable across versions
    version: 1                          # positive integer; a change means a new version
    title: …
    example: true                       # optional: an example that communes adapt
    description: …                      # optional
    scale:
      values: [{value: 1, label: …}, …] # consecutive integers, at least 3, at most 10
      cannot_judge: kann ich nicht beurteilen
    audiences:                          # optional: named groups of institution type codes
      gesundheit: [health_office, clinic, physician, midwife]
    dimensions:
      - key: risk_assessment
        title: …
        description: …                  # optional
        statements:
          - key: ra_common_form
            text: …
            asked: [all]                # optional; audience names or type codes
        free_text:                      # optional, per dimension
          - {key: ra_comment, text: …, asked: [all]}
    free_text: [...]                    # optional questions outside every dimension

Institution type codes are those of :mod:`registry.taxonomy`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from registry.taxonomy import INSTITUTION_TYPES

SCHEMA = "ksqm-evaluation/1"
ALL = "all"
BUILTIN_DIR = Path(__file__).resolve().parent / "frameworks"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
TYPE_CODES = frozenset(item.code for item in INSTITUTION_TYPES)


class FrameworkError(ValueError):
    """A framework definition is invalid; ``errors`` holds (line, message) pairs."""

    def __init__(self, errors: list[tuple[int | None, str]]) -> None:
        self.errors = errors
        super().__init__("\n".join(format_error(line, message) for line, message in errors))


def format_error(line: int | None, message: str) -> str:
    """One error as the UI shows it, with the 1-based YAML line when known."""
    if line is None:
        return message
    return _("Zeile %(line)s: %(message)s") % {"line": line, "message": message}


@dataclass(frozen=True)
class Question:
    """A statement (rated on the scale) or a free-text question."""

    key: str
    text: str
    dimension: str | None
    asked: frozenset[str]  # institution type codes, or {"all"}

    def is_asked(self, institution_type: str) -> bool:
        return ALL in self.asked or institution_type in self.asked


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    description: str
    statements: tuple[Question, ...]
    free_text: tuple[Question, ...]


@dataclass(frozen=True)
class Definition:
    """A validated framework; plain data, rebuilt from the stored JSON when needed."""

    key: str
    version: int
    title: str
    description: str
    example: bool
    scale: tuple[tuple[int, str], ...]
    cannot_judge: str
    dimensions: tuple[Dimension, ...]
    free_text: tuple[Question, ...] = field(default=())

    @property
    def scale_min(self) -> int:
        return self.scale[0][0]

    @property
    def scale_max(self) -> int:
        return self.scale[-1][0]

    def statements(self, institution_type: str | None = None) -> list[Question]:
        """All statements, or those asked of one institution type, in framework order."""
        return [
            s
            for d in self.dimensions
            for s in d.statements
            if institution_type is None or s.is_asked(institution_type)
        ]

    def free_text_questions(self, institution_type: str | None = None) -> list[Question]:
        questions = [q for d in self.dimensions for q in d.free_text] + list(self.free_text)
        return [q for q in questions if institution_type is None or q.is_asked(institution_type)]

    def dimension(self, key: str) -> Dimension:
        for item in self.dimensions:
            if item.key == key:
                return item
        raise KeyError(key)

    def statement(self, key: str) -> Question:
        for item in self.statements():
            if item.key == key:
                return item
        raise KeyError(key)

    def to_json(self) -> dict[str, Any]:
        def q(item: Question) -> dict[str, Any]:
            return {"key": item.key, "text": item.text, "asked": sorted(item.asked)}

        return {
            "key": self.key,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "example": self.example,
            "scale": [{"value": v, "label": label} for v, label in self.scale],
            "cannot_judge": self.cannot_judge,
            "dimensions": [
                {
                    "key": d.key,
                    "title": d.title,
                    "description": d.description,
                    "statements": [q(s) for s in d.statements],
                    "free_text": [q(s) for s in d.free_text],
                }
                for d in self.dimensions
            ],
            "free_text": [q(s) for s in self.free_text],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Definition:
        def q(item: dict[str, Any], dimension: str | None) -> Question:
            return Question(item["key"], item["text"], dimension, frozenset(item["asked"]))

        return cls(
            key=data["key"],
            version=data["version"],
            title=data["title"],
            description=data.get("description", ""),
            example=data.get("example", False),
            scale=tuple((s["value"], s["label"]) for s in data["scale"]),
            cannot_judge=data["cannot_judge"],
            dimensions=tuple(
                Dimension(
                    d["key"],
                    d["title"],
                    d.get("description", ""),
                    tuple(q(s, d["key"]) for s in d["statements"]),
                    tuple(q(s, d["key"]) for s in d.get("free_text", [])),
                )
                for d in data["dimensions"]
            ),
            free_text=tuple(q(s, None) for s in data.get("free_text", [])),
        )


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Checker:
    """Walks the composed node tree, collecting every error instead of stopping at one."""

    def __init__(self) -> None:
        self.errors: list[tuple[int | None, str]] = []
        self.keys: dict[str, int] = {}

    def error(self, node: Node | None, message: str) -> None:
        self.errors.append((_line(node) if node is not None else None, message))

    def mapping(self, node: Node, what: str) -> dict[str, tuple[Node, Node]] | None:
        if not isinstance(node, MappingNode):
            self.error(
                node, _("%(what)s muss eine Zuordnung (Schlüssel: Wert) sein.") % {"what": what}
            )
            return None
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, ScalarNode) else None
            if name is None:
                self.error(key_node, _("Ungültiger Schlüssel."))
                continue
            if name in result:
                self.error(key_node, _("Schlüssel „%(key)s“ kommt doppelt vor.") % {"key": name})
            result[name] = (key_node, value_node)
        return result

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.error(node, _("%(what)s muss eine Liste sein.") % {"what": what})
            return []
        return list(node.value)

    def text(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode) or not str(node.value).strip():
            self.error(node, _("%(what)s muss ein nicht leerer Text sein.") % {"what": what})
            return ""
        return str(node.value).strip()

    def integer(self, node: Node, what: str) -> int | None:
        if isinstance(node, ScalarNode) and re.fullmatch(r"-?\d+", str(node.value)):
            return int(node.value)
        self.error(node, _("%(what)s muss eine ganze Zahl sein.") % {"what": what})
        return None

    def required(
        self, fields: dict[str, tuple[Node, Node]], name: str, parent: Node
    ) -> Node | None:
        if name not in fields:
            self.error(parent, _("Pflichtfeld „%(key)s“ fehlt.") % {"key": name})
            return None
        return fields[name][1]

    def unknown(self, fields: dict[str, tuple[Node, Node]], allowed: set[str]) -> None:
        for name, (key_node, _value) in fields.items():
            if name not in allowed:
                self.error(key_node, _("Unbekanntes Feld „%(key)s“.") % {"key": name})

    def unique_key(self, node: Node, what: str) -> str:
        key = self.text(node, what)
        if key and not KEY_PATTERN.match(key):
            self.error(
                node,
                _("Schlüssel „%(key)s“: nur Kleinbuchstaben, Ziffern, - und _ erlaubt.")
                % {"key": key},
            )
        elif key in self.keys:
            self.error(
                node,
                _("Schlüssel „%(key)s“ ist schon in Zeile %(line)s vergeben.")
                % {"key": key, "line": self.keys[key]},
            )
        elif key:
            self.keys[key] = _line(node)
        return key


def _asked(
    checker: _Checker, fields: dict[str, tuple[Node, Node]], audiences: dict[str, frozenset[str]]
) -> frozenset[str]:
    if "asked" not in fields:
        return frozenset({ALL})
    node = fields["asked"][1]
    codes: set[str] = set()
    for item in checker.sequence(node, _("„asked“")):
        name = checker.text(item, _("Eine Zielgruppe"))
        if not name:
            continue
        if name == ALL:
            codes.add(ALL)
        elif name in audiences:
            codes |= audiences[name]
        elif name in TYPE_CODES:
            codes.add(name)
        else:
            checker.error(
                item,
                _(
                    "„%(name)s“ ist weder eine Zielgruppe unter „audiences“ "
                    "noch eine Einrichtungsart."
                )
                % {"name": name},
            )
    if isinstance(node, SequenceNode) and not node.value:
        checker.error(node, _("„asked“ darf nicht leer sein."))
    return frozenset(codes) or frozenset({ALL})


def _questions(
    checker: _Checker,
    node: Node,
    dimension: str | None,
    audiences: dict[str, frozenset[str]],
    what: str,
) -> tuple[Question, ...]:
    result = []
    for item in checker.sequence(node, what):
        fields = checker.mapping(item, what)
        if fields is None:
            continue
        checker.unknown(fields, {"key", "text", "asked"})
        key_node = checker.required(fields, "key", item)
        text_node = checker.required(fields, "text", item)
        key = checker.unique_key(key_node, _("„key“")) if key_node is not None else ""
        text = checker.text(text_node, _("„text“")) if text_node is not None else ""
        result.append(Question(key, text, dimension, _asked(checker, fields, audiences)))
    return tuple(result)


def parse_framework(source: str) -> Definition:
    """Parse and validate a framework; raise :class:`FrameworkError` listing every problem."""
    checker = _Checker()
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise FrameworkError(
            [(line, _("YAML-Syntaxfehler: %(problem)s") % {"problem": exc.problem or exc})]
        ) from exc
    except yaml.YAMLError as exc:
        raise FrameworkError(
            [(None, _("YAML-Syntaxfehler: %(problem)s") % {"problem": exc})]
        ) from exc
    if root is None:
        raise FrameworkError([(None, _("Die Definition ist leer."))])
    top = checker.mapping(root, _("Die Definition"))
    if top is None:
        raise FrameworkError(checker.errors)
    checker.unknown(
        top,
        {
            "schema",
            "key",
            "version",
            "title",
            "description",
            "example",
            "scale",
            "audiences",
            "dimensions",
            "free_text",
        },
    )
    schema_node = checker.required(top, "schema", root)
    if schema_node is not None and getattr(schema_node, "value", None) != SCHEMA:
        checker.error(schema_node, _("„schema“ muss „%(schema)s“ lauten.") % {"schema": SCHEMA})
    key_node = checker.required(top, "key", root)
    key = checker.text(key_node, _("„key“")) if key_node is not None else ""
    if key and not KEY_PATTERN.match(key):
        checker.error(key_node, _("„key“: nur Kleinbuchstaben, Ziffern, - und _ erlaubt."))
    version_node = checker.required(top, "version", root)
    version = checker.integer(version_node, _("„version“")) if version_node is not None else None
    if version is not None and version < 1:
        checker.error(version_node, _("„version“ muss mindestens 1 sein."))
    title_node = checker.required(top, "title", root)
    title = checker.text(title_node, _("„title“")) if title_node is not None else ""
    description = ""
    if "description" in top:
        description = checker.text(top["description"][1], _("„description“"))
    example = False
    if "example" in top:
        node = top["example"][1]
        if not isinstance(node, ScalarNode) or node.value not in ("true", "false"):
            checker.error(node, _("„example“ muss true oder false sein."))
        example = getattr(node, "value", "") == "true"

    # Scale
    scale: list[tuple[int, str]] = []
    cannot_judge = ""
    scale_node = checker.required(top, "scale", root)
    if scale_node is not None:
        scale_fields = checker.mapping(scale_node, _("„scale“"))
        if scale_fields is not None:
            checker.unknown(scale_fields, {"values", "cannot_judge"})
            values_node = checker.required(scale_fields, "values", scale_node)
            for item in checker.sequence(values_node, _("„values“")) if values_node else []:
                fields = checker.mapping(item, _("Ein Skalenwert"))
                if fields is None:
                    continue
                checker.unknown(fields, {"value", "label"})
                v_node = checker.required(fields, "value", item)
                l_node = checker.required(fields, "label", item)
                value = checker.integer(v_node, _("„value“")) if v_node is not None else None
                label = checker.text(l_node, _("„label“")) if l_node is not None else ""
                if value is not None:
                    if scale and value != scale[-1][0] + 1:
                        checker.error(
                            v_node,
                            _("Skalenwerte müssen lückenlos aufsteigen (erwartet %(n)s).")
                            % {"n": scale[-1][0] + 1},
                        )
                    scale.append((value, label))
            if isinstance(values_node, SequenceNode) and not 3 <= len(values_node.value) <= 10:
                checker.error(values_node, _("Die Skala braucht 3 bis 10 Werte."))
            cj_node = checker.required(scale_fields, "cannot_judge", scale_node)
            if cj_node is not None:
                cannot_judge = checker.text(cj_node, _("„cannot_judge“"))

    # Audiences
    audiences: dict[str, frozenset[str]] = {}
    if "audiences" in top:
        fields = checker.mapping(top["audiences"][1], _("„audiences“")) or {}
        for name, (name_node, value_node) in fields.items():
            if name in TYPE_CODES or name == ALL:
                checker.error(
                    name_node,
                    _("Zielgruppe „%(name)s“ heißt wie eine Einrichtungsart; bitte umbenennen.")
                    % {"name": name},
                )
            codes = set()
            for item in checker.sequence(value_node, _("Eine Zielgruppe")):
                code = checker.text(item, _("Eine Einrichtungsart"))
                if code and code not in TYPE_CODES:
                    checker.error(
                        item, _("Unbekannte Einrichtungsart „%(code)s“.") % {"code": code}
                    )
                elif code:
                    codes.add(code)
            audiences[name] = frozenset(codes)

    # Dimensions
    dimensions: list[Dimension] = []
    dims_node = checker.required(top, "dimensions", root)
    if dims_node is not None:
        items = checker.sequence(dims_node, _("„dimensions“"))
        if isinstance(dims_node, SequenceNode) and not items:
            checker.error(dims_node, _("Mindestens eine Dimension ist nötig."))
        for item in items:
            fields = checker.mapping(item, _("Eine Dimension"))
            if fields is None:
                continue
            checker.unknown(fields, {"key", "title", "description", "statements", "free_text"})
            k_node = checker.required(fields, "key", item)
            t_node = checker.required(fields, "title", item)
            dkey = checker.unique_key(k_node, _("„key“")) if k_node is not None else ""
            dtitle = checker.text(t_node, _("„title“")) if t_node is not None else ""
            ddesc = (
                checker.text(fields["description"][1], _("„description“"))
                if "description" in fields
                else ""
            )
            s_node = checker.required(fields, "statements", item)
            statements = (
                _questions(checker, s_node, dkey, audiences, _("„statements“"))
                if s_node is not None
                else ()
            )
            if s_node is not None and isinstance(s_node, SequenceNode) and not statements:
                checker.error(s_node, _("Eine Dimension braucht mindestens eine Aussage."))
            free = (
                _questions(checker, fields["free_text"][1], dkey, audiences, _("„free_text“"))
                if "free_text" in fields
                else ()
            )
            dimensions.append(Dimension(dkey, dtitle, ddesc, statements, free))
    general = ()
    if "free_text" in top:
        general = _questions(checker, top["free_text"][1], None, audiences, _("„free_text“"))

    if checker.errors:
        raise FrameworkError(checker.errors)
    return Definition(
        key=key,
        version=version or 1,
        title=title,
        description=description,
        example=example,
        scale=tuple(scale),
        cannot_judge=cannot_judge,
        dimensions=tuple(dimensions),
        free_text=general,
    )


def builtin_sources() -> list[Path]:
    """The YAML files shipped with the app (examples that communes copy and adapt)."""
    return sorted(BUILTIN_DIR.glob("*.yaml"))
