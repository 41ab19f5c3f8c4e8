"""The English catalogue is complete, compiled, and counts use real plural forms.

polib is not a dependency, so ``_read_po`` is a small parser for what makemessages
writes: comments, flags, msgctxt, msgid, msgid_plural, msgstr and msgstr[n], each
possibly continued on following quoted lines.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext, pgettext

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

# "Einladung(en)", "Angebot(e)", "E-Mail(s)", "Sprache(n)" … – a count spelled as a hack;
# not "%(n)s" (a placeholder) and not "http(s)://".
PLURAL_HACK_DE = re.compile(r"\w\((?:en|n|e|s|er|r)\)(?!:/)")
PLURAL_HACK_EN = re.compile(r"\w\((?:s|es)\)(?!:/)")
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sd]")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None  # (field, plural index)

    def start(line_no: int) -> Entry:
        nonlocal current
        if current is None:
            current = Entry(line=line_no)
            entries.append(current)
        return current

    def append(entry: Entry, name: str, index: int | None, text: str) -> None:
        if name == "msgstr":
            while len(entry.msgstr) <= (index or 0):
                entry.msgstr.append("")
            entry.msgstr[index or 0] += text
        elif name == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + text
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        else:
            entry.msgid += text

    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#~"):
            continue  # obsolete
        if line.startswith("#,"):
            start(line_no).flags.update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            start(line_no)
            continue
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        if match:
            entry = start(line_no)
            if match.group(1) == "msgctxt" and entry.msgid:
                raise AssertionError(f"{path}:{line_no}: msgctxt after msgid")
            index = int(match.group(2)) if match.group(2) is not None else None
            target = (match.group(1), index)
            append(entry, match.group(1), index, ast.literal_eval(match.group(3)))
        elif line.startswith('"') and current is not None and target is not None:
            append(current, target[0], target[1], ast.literal_eval(line))
        else:
            raise AssertionError(f"{path}:{line_no}: cannot read {raw!r}")
    return [e for e in entries if e.msgid or e.msgstr]


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    return _read_po(PO)


def _messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid]  # without the header


def test_parser_reads_the_catalogue(po_entries):
    header = next(e for e in po_entries if not e.msgid)
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    messages = _messages(po_entries)
    assert len(messages) > 1000
    assert any(e.msgid_plural for e in messages) and any(e.msgctxt for e in messages)


def test_english_catalogue_has_no_untranslated_or_fuzzy_entries(po_entries):
    problems = []
    for e in _messages(po_entries):
        if "fuzzy" in e.flags:
            problems.append(f"line {e.line}: fuzzy {e.msgid!r}")
        expected_forms = 2 if e.msgid_plural is not None else 1
        if len(e.msgstr) != expected_forms or not all(e.msgstr):
            problems.append(f"line {e.line}: untranslated {e.msgid!r}")
    assert problems == []


def test_compiled_catalogue_matches_the_po_file(po_entries):
    """django.mo is what Django reads: it must hold every translation of django.po."""
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    stale = []
    for e in _messages(po_entries):
        key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        if e.msgid_plural is not None:
            compiled = [catalog.get((key, i)) for i in range(len(e.msgstr))]
        else:
            compiled = [catalog.get(key)]
        if compiled != e.msgstr:
            stale.append(e.msgid)
    assert stale == [], "run `make messages` to compile the catalogue"


def test_no_plural_hacks_in_messages(po_entries):
    hacks = [
        e.msgid
        for e in _messages(po_entries)
        for text in (e.msgid, e.msgid_plural or "")
        if PLURAL_HACK_DE.search(text)
    ]
    assert hacks == []
    english_hacks = [
        s
        for e in _messages(po_entries)
        for s in e.msgstr
        if PLACEHOLDER.search(s) and PLURAL_HACK_EN.search(s)
    ]
    assert english_hacks == []


def test_plural_hack_pattern_catches_the_old_forms():
    for text in ("%(n)s Einladung(en) verschickt.", "unbekannte Sprache(n): %s", "E-Mail(s)"):
        assert PLURAL_HACK_DE.search(text), text
    for text in ("%(n)s Einladungen", "Eltern(teil)", "Link mit http(s):// angeben", "(n)"):
        assert not PLURAL_HACK_DE.search(text), text
    assert PLURAL_HACK_EN.search("%(n)s reminder(s) sent.")


@pytest.mark.parametrize(
    ("language", "one", "three"),
    [
        ("de", "1 Einladung verschickt.", "3 Einladungen verschickt."),
        ("en", "1 invitation sent.", "3 invitations sent."),
    ],
)
def test_ngettext_gives_singular_and_plural(language, one, three):
    with translation.override(language):
        forms = [
            ngettext("%(n)s Einladung verschickt.", "%(n)s Einladungen verschickt.", n) % {"n": n}
            for n in (1, 3)
        ]
    assert forms == [one, three]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["1 Angebot importiert.", "2 Angebote importiert."]),
        ("en", ["1 offer imported.", "2 offers imported."]),
    ],
)
def test_blocktranslate_count_in_templates(language, expected):
    template = Template(
        "{% load i18n %}{% blocktranslate count n=n trimmed %}{{ n }} Angebot importiert."
        "{% plural %}{{ n }} Angebote importiert.{% endblocktranslate %}"
    )
    with translation.override(language):
        assert [template.render(Context({"n": n})) for n in (1, 2)] == expected


def test_ambiguous_labels_are_told_apart_by_context():
    with translation.override("en"):
        assert pgettext("child-protection report", "Meldung") == "Report"
        assert pgettext("status message", "Meldung") == "Message"
        assert pgettext("procedures, plural heading", "Verfahren") == "Procedures"
    with translation.override("de"):
        assert pgettext("status message", "Meldung") == "Meldung"
