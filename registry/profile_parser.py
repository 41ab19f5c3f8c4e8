"""Parser for the commune profiles of the model project (DESIGN.md §5).

A profile is a short German text, usually extracted from a PDF or saved from a web page. The
extraction leaves artefacts: non-breaking spaces, bullets on every visual line, words glued
together at line joins, items joined by ``∧``, typos in names and documents cut off
mid-sentence. This module turns such a text into a plain, JSON-serialisable dict and records
every guess it had to make in ``warnings``, so that the importer can show them to a person
instead of silently trusting them.

The module is pure Python (standard library only) so that it can be used and tested without
Django.
"""

from __future__ import annotations

import codecs
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from registry.constants import STATE_NAMES
from registry.profile_types import Profile

__all__ = [
    "Profile",
    "ProfileParseError",
    "decode_profile_bytes",
    "parse_profile_file",
    "parse_profile_text",
]


# The four seed profiles of the model project (DESIGN.md §1), used by the demo and the tests.
SEED_PROFILE_DIR = Path(__file__).resolve().parent / "data" / "seed_profiles"


class ProfileParseError(ValueError):
    """The input is not a readable commune profile; the message names the source."""


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

_LETTERS = "A-Za-zÄÖÜäöüß"
_LOWER = "a-zäöüß"
_UPPER = "A-ZÄÖÜ"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words after which a German phrase cannot end: a line ending with one of them continues on
# the next line. Nouns are capitalised in German, so a lowercase last word is always suspect.
_DETERMINERS = _words(
    "der die das des dem den ein eine einer eines einem einen aller alle allen "
    "jeder jede jedes jedem jeden dieser diese dieses diesem diesen unsere unserer unseres "
    "unserem unseren ihre ihrer ihres ihrem ihren seine seiner seines seinem seinen kein keine "
    "keiner keines keinem keinen mehrere mehrerer einige einiger einigen zur zum im am vom "
    "beim ins"
)
_PREPOSITIONS = _words(
    "an auf aus bei bis durch für gegen hinter in mit nach neben ohne seit über um unter von "
    "vor zu zwischen innerhalb außerhalb bezüglich hinsichtlich gemäß trotz während wegen "
    "inklusive einschließlich"
)
_CONJUNCTIONS = _words("und oder sowie bzw sowohl als wie dass weil wenn ob sondern aber")
_CONTINUING_WORDS = _DETERMINERS | _PREPOSITIONS | _CONJUNCTIONS
# Abbreviations that announce more text ("Ergo- u." / "Psychotherapie").
_CONTINUING_ABBREVIATIONS = (
    "u.",
    "bzw.",
    "z.B.",
    "z. B.",
    "inkl.",
    "vgl.",
    "bspw.",
    "sog.",
    "d.h.",
)
# Lowercase words ending like an inflected adjective but which do end a phrase.
_PHRASE_FINAL_WORDS = _words(
    "weiter wieder später immer sicher lieber besser früher bisher ferner daher außer vorher "
    "nachher seither leider nieder schneller länger stärker weniger zudem trotzdem außerdem "
    "seitdem extrem alles weiteres anderes nichts stets bereits"
)

# Mixed-case words that are spelled that way on purpose and must not be split.
_KNOWN_CAMEL_CASE = frozenset({"PowerPoint", "YouTube", "WhatsApp", "LinkedIn", "JobCenter"})

_HEADING_TEXTS: dict[str, str] = {
    "Altersstruktur der Einwohner": "age",
    "Altersstruktur": "age",
    "Qualitätsentwicklungswerkstatt": "workshop",
    "Qualitätsentwicklungswerkstätten": "workshop",
    "Qualitätsentwicklungsinteresse": "interests",
    "Qualitätsentwicklungsinteressen": "interests",
    "Teilnehmende": "participants",
    "Teilnehmende Institutionen": "participants",
    "Teilnehmer": "participants",
    "Zentrale Themen": "topics",
    "Ergebnisse": "results",
    "Kommunal": "municipal",
    "In Planung": "planned",
    "Clusterübergreifend": "cross_cluster",
    "Besonderheiten": "highlights",
}

# Where the content under each section ends up, and its name in warnings.
_TARGET_LABELS: dict[str, str] = {
    "age": "Altersstruktur der Einwohner",
    "workshop": "Qualitätsentwicklungswerkstatt",
    "interests": "interests",
    "participants": "participants",
    "topics": "topics",
    "municipal.achieved": "outcomes.municipal.achieved",
    "municipal.planned": "outcomes.municipal.planned",
    "cross_cluster.achieved": "outcomes.cross_cluster.achieved",
    "cross_cluster.planned": "outcomes.cross_cluster.planned",
    "highlights": "highlights",
}
_IGNORED_TARGETS = ("age", "workshop")
_ITEM_TARGETS = (
    "interests",
    "topics",
    "municipal.achieved",
    "municipal.planned",
    "cross_cluster.achieved",
    "cross_cluster.planned",
)

_MAX_DEPTH = 4  # bullets, sub-items and two more levels are plenty for a profile

# --------------------------------------------------------------------------------------------
# Regular expressions
# --------------------------------------------------------------------------------------------

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_BULLET_RE = re.compile(r"^(?:(?P<sym>[•·▪◦‣●○\uf0b7])\s*|(?P<ascii>[*-])\s+)(?P<text>.*)$")
_ALPHA_RE = re.compile(r"^(?P<mark>[a-z])\)\s+(?P<text>\S.*)$")
_FOOTNOTE_LINE_RE = re.compile(r"^(?:[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d{1,2}\]|\*\))\s*\S")
_FOOTNOTE_MARK_RE = re.compile(
    rf"(?:(?<=[{_LETTERS}]{{3}})|(?<=[).\"“”]))(?P<mark>[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d{{1,2}}\])"
)
_GLUED_REMARK_RE = re.compile(rf"^(?P<head>.*[{_LETTERS}0-9])\((?P<remark>[{_UPPER}][^()]*)\)$")
_SENTENCE_INSIDE_RE = re.compile(rf"[.!?][\"“”»)]?\s+[{_UPPER}]")
_SENTENCE_END_RE = re.compile(r"[.!?…][\"“”»«')\]]*$")
_FUNCTION_WORD_GLUE_RE = re.compile(
    rf"(?<![{_LETTERS}])(und|oder|sowie)(?=[bcdfghjklmnpqrstvwxzß][{_LOWER}]{{3}})"
)
_JOINED_RE = re.compile(r"\s*∧\s*|\s+•\s+")
_PUNCT_GLUE_RE = re.compile(rf"(?<=[{_LETTERS})])([,;])(?=[{_LETTERS}(])")

_STATE_RE = re.compile(r"^bundesland(?P<colon>\s*:)?\s*(?P<value>.*)$", re.IGNORECASE)
_CLUSTER_RE = re.compile(
    rf"^(?:kinderschutz\s*-?\s*)?cluster(?![{_LETTERS}])\s*:?\s*(?:nr\.?\s*)?(?P<value>.*)$",
    re.IGNORECASE,
)
_CLUSTER_NUMBER_RE = re.compile(r"^(\d{1,4})\b")
_MODEL_RE = re.compile(r"^modellkommune\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_PARTNERS_RE = re.compile(r"^partnerkommunen?\s*:?\s*(?P<value>.*)$", re.IGNORECASE)
_WEBSITE_RE = re.compile(
    r"^(?:(?:internet|website|homepage|web|url)\s*:\s*)?"
    r"(?P<url>(?:https?://)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}(?:/\S*)?)$",
    re.IGNORECASE,
)
_HTML_RE = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|p|li|ul|ol|div|br|h[1-6]|table)\b[^>]*>",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def parse_profile_file(path: str | Path) -> Profile:
    """Read, decode and parse the profile file at ``path``.

    Decoding notes (cp1252 fallback, HTML conversion) are added to the result's warnings.
    Raises ProfileParseError naming the path when the file cannot be read or is no profile.
    """
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ProfileParseError(f"{source}: cannot read the file ({reason})") from exc
    text, decoding_warnings = _decode(data, source)
    result = parse_profile_text(text, source=source)
    result["warnings"] = decoding_warnings + result["warnings"]
    return result


def decode_profile_bytes(data: bytes, *, source: str) -> str:
    """Turn the raw bytes of a profile into text.

    UTF-8 (a byte-order mark is dropped) is tried first, then Windows-1252, the encoding of
    files saved by older German office software. A saved HTML page is converted to the plain
    text form. Binary data raises ProfileParseError naming ``source``.
    """
    text, _warnings = _decode(data, source)
    return text


def parse_profile_text(text: str, *, source: str) -> Profile:
    """Parse the plain text of one commune profile into a :class:`Profile` (plain data).

    Keys: ``source``; ``kind`` ("model" or "partner"); ``name``; ``website`` (as written, or
    None); ``state`` (a name from STATE_NAMES, or None); ``cluster`` (int or None);
    ``model_municipality``; ``partners`` (list of names); ``interests``, ``participants`` and
    ``topics`` (lists of items ``{"text": str, "children": [item, ...]}``); ``outcomes``
    (``{"municipal": {"achieved": [...], "planned": [...]}, "cross_cluster": {...}}`` with
    the same items); ``highlights`` (paragraphs joined by a blank line, or None); ``notes``
    (footnotes and remarks found in the text) and ``warnings`` (every guess the parser made).

    Raises ProfileParseError naming ``source`` for empty input, for a text that is no
    commune profile, or for a profile without a commune name.
    """
    lines = _split_lines(text)
    if not any(line.text for line in lines):
        raise ProfileParseError(f"{source}: the file is empty or contains only whitespace")
    report = _Report()
    lines = _take_footnote_lines(lines, report)
    header_lines, body = _split_sections(lines)
    header = _parse_header(header_lines, report)
    if not header.has_kind_heading and header.signals + len(body.headings) < 2:
        raise ProfileParseError(
            f"{source}: not a commune profile (no MODELLKOMMUNE/PARTNERKOMMUNE heading and "
            "no profile sections such as 'BUNDESLAND:' or 'Zentrale Themen')"
        )
    identity = _resolve_identity(header, report, source)
    state = _resolve_state(header, report)
    cluster = _resolve_cluster(header, report)
    for message in body.messages:
        report.warn(message)
    for target in _IGNORED_TARGETS:
        if any(line.text for line in body.sections.get(target, [])):
            report.warn(f"ignored the text under '{_TARGET_LABELS[target]}' (not imported)")

    lists = {
        target: _build_items(body.sections.get(target, []), _TARGET_LABELS[target], report)
        for target in _ITEM_TARGETS
    }
    participants = _build_participants(body.sections.get("participants", []), report)
    highlights = _build_highlights(body.sections.get("highlights", []), report)
    _check_truncation(body.last_target, lists, participants, highlights, report)

    return {
        "source": source,
        "kind": identity.kind,
        "name": identity.name,
        "website": header.website,
        "state": state,
        "cluster": cluster,
        "model_municipality": identity.model_municipality,
        "partners": header.partners,
        "interests": lists["interests"],
        "participants": participants,
        "topics": lists["topics"],
        "outcomes": {
            "municipal": {
                "achieved": lists["municipal.achieved"],
                "planned": lists["municipal.planned"],
            },
            "cross_cluster": {
                "achieved": lists["cross_cluster.achieved"],
                "planned": lists["cross_cluster.planned"],
            },
        },
        "highlights": highlights,
        "notes": report.notes,
        "warnings": report.warnings,
    }


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


def _decode(data: bytes, source: str) -> tuple[str, list[str]]:
    """Decode bytes to text; return the text and the warnings about how it was decoded."""
    warnings: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Windows editors save "Unicode" as UTF-16; its NUL bytes are not a sign of binary.
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise ProfileParseError(f"{source}: binary data (NUL bytes), not a text profile")
    else:
        data = data.removeprefix(codecs.BOM_UTF8)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                # cp1252 leaves five bytes undefined; latin-1 accepts every byte.
                text = data.decode("latin-1")
            warnings.append("file is not valid UTF-8; decoded it as Windows-1252 (cp1252)")
    if _mostly_unprintable(text):
        raise ProfileParseError(f"{source}: binary data (mostly non-printable), not a text profile")
    if _HTML_RE.search(text):
        text = _html_to_text(text)
        warnings.append("converted an HTML page to plain text")
    return text, warnings


def _mostly_unprintable(text: str) -> bool:
    """Whether more than a tenth of the characters are control or undefined characters."""
    if not text:
        return False
    bad = sum(
        1
        for char in text
        if char not in "\t\n\r\f\v"
        and (char == "\ufffd" or unicodedata.category(char) in ("Cc", "Co", "Cn", "Cs"))
    )
    return bad * 10 > len(text)


class _HtmlToText(HTMLParser):
    """Render HTML as the plain-text profile form: list items become bullet lines."""

    _SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "template", "svg"})
    _BLOCKS = _words(
        "p div section article header footer main nav aside h1 h2 h3 h4 h5 h6 table tr "
        "blockquote pre dl dt dd form fieldset figure figcaption address center hr"
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._parts: list[str] = []
        self._prefix = ""
        self._list_depth = 0
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skip_depth += 1
        elif tag == "br":
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            self._list_depth += 1
        elif tag == "li":
            self._flush()
            # Top-level items get the profile bullet, nested ones an indented dash.
            depth = max(self._list_depth, 1)
            self._prefix = "• " if depth == 1 else "    " * (depth - 1) + "- "
        elif tag in self._BLOCKS:
            self._flush(paragraph=True)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skip_depth = max(self._skip_depth - 1, 0)
        elif tag in ("ul", "ol"):
            self._flush()
            self._list_depth = max(self._list_depth - 1, 0)
            if self._list_depth == 0:
                self._flush(paragraph=True)
        elif tag == "li":
            self._flush()
        elif tag in ("td", "th"):
            self._parts.append(" ")
        elif tag in self._BLOCKS:
            self._flush(paragraph=True)

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._parts.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self, *, paragraph: bool = False) -> None:
        # Source line breaks in HTML are plain spaces; only tags make lines.
        text = re.sub(r"[ \t\r\n\f]+", " ", "".join(self._parts)).strip(" ")
        self._parts = []
        if text.strip():
            self.lines.append(self._prefix + text)
            self._prefix = ""
        if paragraph and self.lines and self.lines[-1]:
            self.lines.append("")


def _html_to_text(markup: str) -> str:
    converter = _HtmlToText()
    converter.feed(markup)
    converter.close()
    return "\n".join(converter.lines).strip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# Lines, whitespace and small text helpers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    indent: int
    text: str  # whitespace-normalised; "" for a blank or nbsp-only line


@dataclass
class _Report:
    """Collects warnings and notes in document order, without duplicates."""

    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def note(self, text: str) -> None:
        if text and text not in self.notes:
            self.notes.append(text)


def _clean(text: str) -> str:
    """Normalise whitespace: nbsp and other spaces become one space, invisible marks go."""
    text = _INVISIBLE_RE.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def _split_lines(text: str) -> list[_Line]:
    lines = []
    for raw in text.splitlines():
        raw = _CONTROL_RE.sub("", raw).replace("\t", "    ")
        raw = _INVISIBLE_RE.sub("", raw)
        stripped = raw.lstrip()
        cleaned = _clean(stripped)
        indent = len(raw) - len(stripped) if cleaned else 0
        lines.append(_Line(indent, cleaned))
    return lines


def _key(text: str) -> str:
    """Comparison key for headings and names: lowercase letters only, umlauts folded."""
    text = text.lower()
    for umlaut, plain in (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    for spelled, plain in (("ae", "a"), ("oe", "o"), ("ue", "u")):
        text = text.replace(spelled, plain)
    return re.sub(r"[^a-z]", "", text)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _split_bullet(text: str) -> tuple[str, str]:
    """Return (style, text) where style is the bullet symbol, "alpha" for a), or "plain"."""
    match = _BULLET_RE.match(text)
    if match:
        return match.group("sym") or match.group("ascii"), match.group("text").strip()
    match = _ALPHA_RE.match(text)
    if match:
        return "alpha", match.group("text").strip()
    return "plain", text


_HEADING_KEYS: dict[str, str] = {_key(text): target for text, target in _HEADING_TEXTS.items()}
_KIND_KEYS: dict[str, str] = {_key("Modellkommune"): "model", _key("Partnerkommune"): "partner"}
_STATE_KEYS: dict[str, str] = {_key(name): name for name in STATE_NAMES}


# --------------------------------------------------------------------------------------------
# Continuation and glue heuristics
# --------------------------------------------------------------------------------------------


def _looks_like_inflected_adjective(word: str) -> bool:
    """Lowercase words that, at the end of a line, need a noun after them.

    "trägerübergreifenden" and "eingesetzter" are attributive forms; infinitives such as
    "entwickeln" or "hinzugewinnen" also end in -en, so -en alone is not enough.
    """
    if len(word) < 5 or word in _PHRASE_FINAL_WORDS:
        return False
    if word.endswith(("enden", "ender", "endem", "endes")):
        # Verbs of the "wenden/senden" family end a phrase as infinitives.
        return not (word.endswith(("wenden", "senden", "spenden")) or word == "beenden")
    return word.endswith(("er", "em", "es"))


def _continues(previous: str, following: str = "", *, following_is_bullet: bool = True) -> bool:
    """Whether the text ``previous`` obviously goes on in the next line."""
    text = previous.rstrip()
    if len(text) < 2:
        return False
    if text.endswith((",", "-", "–")):
        return True
    if any(text == abbr or text.endswith(" " + abbr) for abbr in _CONTINUING_ABBREVIATIONS):
        return True
    if not text[-1].isalnum():
        return False
    words = text.split()
    last = words[-1]
    if not last[0].islower():
        return False  # a capitalised noun or a number can end a phrase
    if last in _CONTINUING_WORDS or _looks_like_inflected_adjective(last):
        return True
    if _article_without_noun(words):
        return True
    return not following_is_bullet and following[:1].islower()


def _article_without_noun(words: list[str]) -> bool:
    """Whether the last words are an article and lowercase words but no noun yet
    ("einer trägerübergreifenden", "eines kreisweit abgestimmten")."""
    for position in range(len(words) - 2, max(len(words) - 5, -1), -1):
        word = words[position]
        if word.endswith(","):
            return False
        if word.lower() in _DETERMINERS:
            # After a comma the "article" is a relative pronoun ("Fachkräfte, die teilnehmen").
            return not (position > 0 and words[position - 1].endswith(","))
        if not word[0].islower() and word[0].isalpha():
            return False  # a noun came first
    return False


def _camel_split_points(token: str) -> list[int]:
    """Positions where a lowercase letter is glued to a capitalised word ("DeutscherKinder…")."""
    if any(word in token for word in _KNOWN_CAMEL_CASE):
        return []
    points = []
    for index in range(1, len(token)):
        if not (token[index - 1].islower() and token[index].isupper()):
            continue
        start = index - 1
        while start > 0 and token[start - 1].isalpha() and not token[start].isupper():
            start -= 1
        left = token[start:index]
        end = index + 1
        while end < len(token) and token[end].islower():
            end += 1
        right = token[index:end]
        # "KiTa" or "BuKiSchG" have short parts; "MitarbeiterInnen" is a gender form.
        if len(right) < 4 or right.startswith("Innen"):
            continue
        if len(left) >= 4 or left.lower() in _CONTINUING_WORDS:
            points.append(index)
    return points


def _repair_token(token: str) -> str:
    if "://" in token or "@" in token or token.lower().startswith("www."):
        return token
    points = _camel_split_points(token)
    for index in reversed(points):
        token = token[:index] + " " + token[index:]
    token = _FUNCTION_WORD_GLUE_RE.sub(r"\1 ", token)
    return _PUNCT_GLUE_RE.sub(r"\1 ", token)


def _repair_glue(text: str, label: str, report: _Report) -> str:
    """Insert spaces lost at line joins, warning with each repaired word."""

    def repair(match: re.Match[str]) -> str:
        token = match.group(0)
        repaired = _repair_token(token)
        if repaired != token:
            report.warn(f"{label}: inserted a missing space in '{token}' -> '{repaired}'")
        return repaired

    return re.sub(r"\S+", repair, text)


def _strip_footnote_marks(text: str, label: str, report: _Report) -> str:
    def strip(match: re.Match[str]) -> str:
        report.warn(f"{label}: removed footnote marker '{match.group('mark')}'")
        return ""

    return _FOOTNOTE_MARK_RE.sub(strip, text)


def _finish_text(text: str, label: str, report: _Report) -> str:
    """Final clean-up of an item or paragraph: whitespace, footnote markers, glued words."""
    text = _strip_footnote_marks(_clean(text), label, report)
    return _clean(_repair_glue(text, label, report))


def _join(first: str, second: str, label: str, report: _Report) -> str:
    """Join two pieces of one logical line, handling hyphens at the break."""
    first, second = first.rstrip(), second.lstrip()
    if not first or not second:
        return first or second
    if re.search(rf"[{_LETTERS}]-$", first):
        next_word = second.split(" ", 1)[0].lower()
        if next_word in ("und", "oder", "bzw.", "sowie", "bis") or second[0] in ",;":
            return f"{first} {second}"  # "Gremien- und Netzwerkstruktur"
        if second[0].islower():
            # A word hyphenated at the line end ("Fami-" / "lienhilfe").
            head, tail = first.rsplit(" ", 1)[-1], second.split(" ", 1)[0]
            report.warn(
                f"{label}: joined the word hyphenated at a line break: "
                f"'{head}' + '{tail}' -> '{head[:-1]}{tail}'"
            )
            return first[:-1] + second
        return first + second  # "Kinderschutz-" + "Fortbildung"
    return f"{first} {second}"


# --------------------------------------------------------------------------------------------
# Footnotes and sections
# --------------------------------------------------------------------------------------------


def _take_footnote_lines(lines: list[_Line], report: _Report) -> list[_Line]:
    """Move footnote lines ("¹ Quelle: …", "[1] …") to the notes."""
    kept = []
    for line in lines:
        if _FOOTNOTE_LINE_RE.match(line.text):
            report.note(line.text)
            report.warn(f"moved the footnote line '{_short(line.text)}' to notes")
        else:
            kept.append(line)
    return kept


@dataclass
class _Body:
    sections: dict[str, list[_Line]] = field(default_factory=dict)
    headings: set[str] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)
    last_target: str | None = None


def _match_heading(text: str) -> tuple[str, str] | None:
    """Return (heading target, text after a colon) if the line is a section heading."""
    if not text or _split_bullet(text)[0] != "plain":
        return None
    target = _HEADING_KEYS.get(_key(text))
    if target:
        return target, ""
    head, colon, rest = text.partition(":")
    if colon and rest.strip():
        target = _HEADING_KEYS.get(_key(head))
        if target:
            return target, rest.strip()
    return None


def _heading_at(lines: list[_Line], index: int) -> tuple[str, str, int] | None:
    """Heading at ``index`` as (target, inline text, lines used); a heading may be hyphenated
    over two lines ("Qualitätsentwicklungs-" / "interesse")."""
    line = lines[index]
    found = _match_heading(line.text)
    if found:
        return found[0], found[1], 1
    if line.text.endswith("-") and index + 1 < len(lines):
        found = _match_heading(line.text + lines[index + 1].text)
        if found and not found[1]:
            return found[0], "", 2
    return None


def _section_target(heading: str, scope: str) -> tuple[str, str]:
    """Map a heading to (bucket, new outcome scope); outcome headings depend on the scope."""
    if heading in ("results", "municipal"):
        return "municipal.achieved", "municipal"
    if heading == "cross_cluster":
        return "cross_cluster.achieved", "cross_cluster"
    if heading == "planned":
        return f"{scope}.planned", scope
    return heading, scope


def _split_sections(lines: list[_Line]) -> tuple[list[_Line], _Body]:
    """Split the lines into the header (before the first section heading) and sections."""
    header: list[_Line] = []
    body = _Body()
    current: str | None = None
    scope = "municipal"
    announced: set[str] = set()
    index = 0
    while index < len(lines):
        found = _heading_at(lines, index)
        if found is None:
            line = lines[index]
            if current is None:
                header.append(line)
            else:
                body.sections.setdefault(current, []).append(line)
                if line.text:
                    body.last_target = current
            index += 1
            continue
        heading, inline, used = found
        body.headings.add(heading)
        current, scope = _section_target(heading, scope)
        if heading != "results":
            if current in announced:
                label = _TARGET_LABELS[current]
                body.messages.append(f"section '{label}' appears twice; combined its contents")
            announced.add(current)
        section = body.sections.setdefault(current, [])
        if inline:
            section.append(_Line(0, inline))
            body.last_target = current
        index += used
    return header, body


# --------------------------------------------------------------------------------------------
# Header fields
# --------------------------------------------------------------------------------------------


@dataclass
class _Header:
    kind: str | None = None
    has_kind_heading: bool = False
    name: str | None = None
    website: str | None = None
    state_line: str | None = None
    state_value: str | None = None
    cluster_line: str | None = None
    model_line: str | None = None
    partners: list[str] = field(default_factory=list)
    signals: int = 0


def _clean_name(text: str) -> str:
    return _clean(_FOOTNOTE_MARK_RE.sub("", _split_bullet(text)[1]))


def _find_kind_heading(texts: list[str]) -> tuple[str | None, int]:
    """The kind heading may only be preceded by a stray line or two ("Dachzeile")."""
    for index, text in enumerate(texts[:3]):
        kind = _KIND_KEYS.get(_key(text))
        if kind and ":" not in text.rstrip(":"):
            return kind, index
    return None, -1


def _parse_header(lines: list[_Line], report: _Report) -> _Header:
    header = _Header()
    texts = [line.text for line in lines if line.text]
    kind, position = _find_kind_heading(texts)
    if kind:
        header.kind, header.has_kind_heading = kind, True
        for stray in texts[:position]:
            report.warn(f"ignored the stray line '{_short(stray)}' before the profile heading")
        texts = texts[position + 1 :]
    in_partners = False
    previous_field: str | None = None
    for text in texts:
        if previous_field == "model" and header.model_line is None:
            # "Modellkommune:" with the name on the next line.
            header.model_line = _clean_name(text)
            previous_field = None
            continue
        field_name = _read_header_field(text, header, report)
        if field_name:
            header.signals += 1
            in_partners = field_name == "partners"
            previous_field = field_name
            continue
        previous_field = None
        name = _clean_name(text)
        if not name:
            continue
        if in_partners:
            header.partners.append(name)
        elif header.name is None:
            header.name = name
        else:
            report.warn(f"ignored the unrecognised header line '{_short(name)}'")
    return header


def _read_header_field(text: str, header: _Header, report: _Report) -> str | None:
    """Store a BUNDESLAND, cluster, Modellkommune, Partnerkommunen or website line in
    ``header`` and return which one it was; None if ``text`` is no such line."""
    if match := _STATE_RE.match(text):
        header.state_line = text
        header.state_value = match.group("value").strip(" :")
        if not match.group("colon"):
            report.warn(f"BUNDESLAND line without colon: '{text}'")
        return "state"
    if match := _CLUSTER_RE.match(text):
        header.cluster_line = match.group("value")
        return "cluster"
    if match := _MODEL_RE.match(text):
        header.model_line = _clean_name(match.group("value")) or None
        return "model"
    if match := _PARTNERS_RE.match(text):
        if match.group("value").strip():
            header.partners.append(_clean_name(match.group("value")))
        return "partners"
    if match := _WEBSITE_RE.match(text):
        if header.website is None:
            header.website = match.group("url")
        else:
            report.warn(f"ignored a second website line '{text}'")
        return "website"
    return None


@dataclass(frozen=True)
class _Identity:
    kind: str
    name: str
    model_municipality: str | None


def _same_commune(first: str, second: str) -> bool:
    return difflib.SequenceMatcher(None, first.casefold(), second.casefold()).ratio() >= 0.8


def _domain_labels(website: str | None) -> list[str]:
    if not website:
        return []
    host = re.sub(r"^https?://", "", website.lower()).split("/", 1)[0]
    labels = host.split(".")[:-1]  # drop the top-level domain
    return [_key(label) for label in labels if label != "www" and len(_key(label)) >= 3]


def _matches_website(name: str, labels: list[str]) -> bool:
    name_key = _key(name)
    return any(label in name_key for label in labels)


def _resolve_identity(header: _Header, report: _Report, source: str) -> _Identity:
    kind = header.kind
    name = header.name
    model_line = header.model_line
    if kind is None:
        differs = bool(model_line and name and not _same_commune(name, model_line))
        kind = "partner" if differs else "model"
        report.warn(f"no MODELLKOMMUNE/PARTNERKOMMUNE heading; assumed kind '{kind}'")
    if name is None:
        if kind == "model" and model_line:
            report.warn("no title line with the commune's name; used the 'Modellkommune:' line")
            name = model_line
        else:
            raise ProfileParseError(f"{source}: no commune name found in the profile header")
    if kind == "partner":
        if model_line is None:
            report.warn("partner profile without a 'Modellkommune:' line")
        return _Identity(kind, name, model_line)
    if model_line and model_line != name:
        name = _reconcile_model_name(name, model_line, header.website, report)
    return _Identity(kind, name, name)


def _reconcile_model_name(title: str, model_line: str, website: str | None, report: _Report) -> str:
    """Choose between two spellings of a model commune's name (the title and the
    'Modellkommune:' line), preferring the one that matches the website's domain."""
    if title.casefold() == model_line.casefold():
        return title
    if not _same_commune(title, model_line):
        report.warn(
            f"the title '{title}' and 'Modellkommune: {model_line}' name different communes; "
            "kept the title"
        )
        return title
    labels = _domain_labels(website)
    title_matches = _matches_website(title, labels)
    line_matches = _matches_website(model_line, labels)
    if line_matches and not title_matches:
        report.warn(
            f"name: the title '{title}' differs from 'Modellkommune: {model_line}'; "
            f"using '{model_line}', which matches the website {website}"
        )
        return model_line
    if title_matches and not line_matches:
        report.warn(
            f"name: 'Modellkommune: {model_line}' differs from the title '{title}'; "
            f"using '{title}', which matches the website {website}"
        )
        return title
    report.warn(
        f"name: the title '{title}' differs from 'Modellkommune: {model_line}'; kept the title"
    )
    return title


def _resolve_state(header: _Header, report: _Report) -> str | None:
    value = header.state_value
    if header.state_line is None:
        report.warn("no BUNDESLAND line; state unknown")
        return None
    if not value:
        report.warn("empty BUNDESLAND line; state unknown")
        return None
    key = _key(value)
    if key in _STATE_KEYS:
        return _STATE_KEYS[key]
    close = difflib.get_close_matches(key, list(_STATE_KEYS), n=1, cutoff=0.85)
    if close:
        state = _STATE_KEYS[close[0]]
        report.warn(f"Bundesland '{value}' read as '{state}'")
        return state
    report.warn(f"unknown Bundesland '{value}'; state left empty")
    return None


def _resolve_cluster(header: _Header, report: _Report) -> int | None:
    if header.cluster_line is None:
        report.warn("no KINDERSCHUTZCLUSTER line; cluster unknown")
        return None
    match = _CLUSTER_NUMBER_RE.match(header.cluster_line.strip())
    if not match:
        report.warn(f"no cluster number in the KINDERSCHUTZCLUSTER line ('{header.cluster_line}')")
        return None
    return int(match.group(1))


# --------------------------------------------------------------------------------------------
# Item lists
# --------------------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One non-blank line of a list section after its bullet has been read."""

    style: str
    indent: int
    text: str
    after_blank: bool
    glued_remark: bool = False


@dataclass
class _Node:
    text: str
    style: str
    indent: int
    children: list[_Node] = field(default_factory=list)


def _is_remark(text: str) -> bool:
    """A whole line in parentheses under a list is an editorial remark, not an item."""
    return text.startswith("(") and text.endswith(")") and len(text.split()) >= 4


def _read_entries(lines: list[_Line], label: str, report: _Report) -> list[_Entry]:
    entries: list[_Entry] = []
    nonblank = [line for line in lines if line.text]
    after_blank = False
    for line in lines:
        if not line.text:
            after_blank = True
            continue
        style, text = _split_bullet(line.text)
        if style == "plain" and _is_remark(text):
            report.note(text)
            report.warn(f"{label}: moved the remark '{_short(text)}' to notes")
            after_blank = True
            continue
        glued = False
        match = _GLUED_REMARK_RE.match(text)
        if match and len(match.group("remark").split()) >= 4:
            is_last = line is nonblank[-1]
            if is_last or match.group("remark").endswith("."):
                remark = f"({match.group('remark')})"
                report.note(remark)
                report.warn(
                    f"{label}: moved the remark '{_short(remark)}' glued to an item to notes"
                )
                text, glued = match.group("head"), True
        entries.append(_Entry(style, line.indent, text, after_blank, glued))
        after_blank = False
    return entries


def _parent_depth(stack: list[_Node], entry: _Entry) -> int:
    """Depth at which ``entry`` goes: the index in ``stack`` it replaces or extends."""
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].style == entry.style and stack[depth].indent == entry.indent:
            return depth  # a sibling of an earlier item with the same bullet and indent
    if stack and (
        entry.style == "alpha"
        or (entry.style == "-" and stack[-1].style != "-" and stack[-1].text.endswith(":"))
    ):
        return min(len(stack), _MAX_DEPTH - 1)  # a) lines and dashes after "…:" are sub-items
    depth = len(stack)
    while depth > 0 and (
        stack[depth - 1].indent >= entry.indent
        or (stack[depth - 1].style == "plain" and not stack[depth - 1].text.endswith(":"))
    ):
        depth -= 1
    return min(depth, _MAX_DEPTH - 1)


def _merge_bullet_line(node: _Node, text: str, label: str, report: _Report) -> str | None:
    """Append a wrongly bulleted continuation line to ``node``.

    Returns the text that starts a new item when the first word turns out to be two words
    glued over a lost line break ("DokumentationExterne"), else None.
    """
    first, _space, rest = text.partition(" ")
    points = _camel_split_points(first)
    if points:
        left, right = first[: points[0]], first[points[0] :]
        node.text = _join(node.text, left, label, report)
        report.warn(
            f"{label}: split the glued word '{first}' at a lost line break "
            f"('{left}' ends the previous item, '{right}' starts a new one)"
        )
        return f"{right} {rest}".strip()
    node.text = _join(node.text, text, label, report)
    report.warn(f"{label}: merged the bullet line '{_short(text)}' into the previous item")
    return None


def _build_tree(entries: list[_Entry], label: str, report: _Report) -> list[_Node]:
    roots: list[_Node] = []
    stack: list[_Node] = []
    has_bullets = any(entry.style != "plain" for entry in entries)
    for entry in entries:
        last = stack[-1] if stack else None
        text = entry.text
        if last is not None and entry.style == "plain":
            if has_bullets and not entry.after_blank:
                last.text = _join(last.text, text, label, report)  # documented wrap
                continue
            if _continues(last.text, text, following_is_bullet=False):
                last.text = _join(last.text, text, label, report)
                report.warn(f"{label}: joined the line '{_short(text)}' to the previous item")
                continue
        elif last is not None and entry.glued_remark and len(text.split()) == 1:
            # The remark was glued onto the last visual line of the item before it.
            last.text = _join(last.text, text, label, report)
            report.warn(f"{label}: merged the bullet line '{text}' into the previous item")
            continue
        elif (
            last is not None
            and last.style == entry.style
            and last.indent == entry.indent
            and _continues(last.text, text)
        ):
            rest = _merge_bullet_line(last, text, label, report)
            if rest is None:
                continue
            text = rest
        node = _Node(text, entry.style, entry.indent)
        depth = 0 if entry.style == "plain" else _parent_depth(stack, entry)
        if depth == 0:
            roots.append(node)
        else:
            stack[depth - 1].children.append(node)
        stack = [*stack[:depth], node]
    return roots


def _split_joined(text: str, label: str, report: _Report) -> list[str]:
    """Split items joined by '∧' or by a bullet in the middle of a line, and finish each."""
    parts = [_finish_text(part, label, report) for part in _JOINED_RE.split(text)]
    parts = [part for part in parts if part]
    if len(parts) > 1:
        joiner = "∧" if "∧" in text else "•"
        report.warn(f"{label}: split an item joined by '{joiner}' into {len(parts)} items")
    return parts


def _finish_nodes(nodes: list[_Node], label: str, report: _Report) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for node in nodes:
        children = _finish_nodes(node.children, label, report)
        parts = _split_joined(node.text, label, report)
        if not parts:
            items.extend(children)  # an empty bullet: keep what hangs below it
            continue
        items.extend({"text": part, "children": []} for part in parts[:-1])
        items.append({"text": parts[-1], "children": children})
    return items


def _build_items(lines: list[_Line], label: str, report: _Report) -> list[dict[str, Any]]:
    """Turn the lines of a list section into items ``{"text": …, "children": […]}``."""
    entries = _read_entries(lines, label, report)
    return _finish_nodes(_build_tree(entries, label, report), label, report)


def _build_participants(lines: list[_Line], report: _Report) -> list[dict[str, Any]]:
    """Participants are separated by '|' (after at most one bullet), or one per bullet."""
    label = "participants"
    nonblank = [line for line in lines if line.text]
    if not any("|" in line.text for line in nonblank):
        return _build_items(lines, label, report)
    buffer = ""
    for line in nonblank:
        style, text = _split_bullet(line.text)
        current = buffer.rsplit("|", 1)[-1]
        if not buffer.strip() or buffer.rstrip().endswith("|") or text.startswith("|"):
            buffer = f"{buffer} {text}"
        elif style == "plain" and (
            current.count("(") > current.count(")")
            or _continues(current, text, following_is_bullet=False)
        ):
            buffer = _join(buffer, text, label, report)
        else:
            buffer = f"{buffer} | {text}"
    items = []
    for piece in buffer.split("|"):
        text = _split_bullet(_clean(piece))[1]
        items.extend({"text": part, "children": []} for part in _split_joined(text, label, report))
    return items


def _build_highlights(lines: list[_Line], report: _Report) -> str | None:
    """Free text: paragraphs are separated by blank lines; bullets start a paragraph."""
    label = "highlights"
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        style, text = _split_bullet(line.text)
        if not line.text or style != "plain":
            if current:
                paragraphs.append(current)
            current = text if line.text else ""
            continue
        current = _join(current, text, label, report)
    if current:
        paragraphs.append(current)
    finished = [_finish_text(paragraph, label, report) for paragraph in paragraphs]
    text = "\n\n".join(paragraph for paragraph in finished if paragraph)
    return text or None


# --------------------------------------------------------------------------------------------
# Truncation
# --------------------------------------------------------------------------------------------


def _last_item(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    item = items[-1] if items else None
    while item is not None and item["children"]:
        item = item["children"][-1]
    return item


def _prose_looks_truncated(text: str) -> bool:
    """A free text is cut off if it ends without a full stop although it is written in
    sentences, or if its last word needs more words after it."""
    if _SENTENCE_END_RE.search(text):
        return False
    last_paragraph = text.rsplit("\n\n", 1)[-1]
    return _continues(text) or bool(_SENTENCE_INSIDE_RE.search(last_paragraph))


def _check_truncation(
    last_target: str | None,
    lists: dict[str, list[dict[str, Any]]],
    participants: list[dict[str, Any]],
    highlights: str | None,
    report: _Report,
) -> None:
    if last_target == "highlights" and highlights:
        if _prose_looks_truncated(highlights):
            report.warn(f"possibly truncated: the text ends mid-sentence ('…{highlights[-40:]}')")
        return
    items = participants if last_target == "participants" else lists.get(last_target or "", [])
    item = _last_item(items)
    if item is None:
        return
    text = item["text"]
    if _continues(text) or text.endswith(":"):
        report.warn(f"possibly truncated: the last item ends unfinished ('…{text[-40:]}')")
