"""A simple detector of identifying details in German free text, for the moderation.

It flags what a coordinator must look at before a near-miss report or a finding is
published: likely person names, dates, addresses, phone numbers, e-mail addresses and file
numbers (Aktenzeichen). It is a helper for a human, not a guarantee: it prefers to flag
too much, and the moderator decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "name": _("Name"),
    "date": _("Datum"),
    "address": _("Adresse"),
    "phone": _("Telefonnummer"),
    "email": _("E-Mail-Adresse"),
    "file_number": _("Aktenzeichen"),
}
PLACEHOLDERS = {
    "name": "[Name]",
    "date": "[Datum]",
    "address": "[Adresse]",
    "phone": "[Telefon]",
    "email": "[E-Mail]",
    "file_number": "[Aktenzeichen]",
}

_UPPER = "A-ZÄÖÜ"
_LOWER = "a-zäöüß"
_CAP = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_MONTHS = (
    "Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|"
    "Dezember|Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sep|Sept|Okt|Nov|Dez"
)
_STREET_SUFFIX = (
    r"(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|steig|pfad"
    r"|markt|hof|berg|feld|stieg)"
)
# Common German first names (synthetic examples use them too); a capitalised word after
# one of them is taken as a surname.
_FIRST_NAMES_TEXT = """
    Anna Marie Maria Sophie Sofia Emma Mia Hannah Hanna Lena Lea Leonie Laura Lara Lisa
    Julia Sarah Sara Laura Katharina Christina Petra Sabine Susanne Claudia Andrea Nicole
    Stefanie Sandra Melanie Jessica Jana Nina Tanja Anja Monika Ursula Renate Helga Karin
    Elif Ayse Fatma Zeynep Aleyna Amira Yasmin Olga Natalia Svetlana
    Ben Paul Jonas Leon Finn Elias Noah Luis Louis Lukas Lucas Felix Max Maximilian Tim
    Tom Jan Niklas Nico Moritz David Alexander Daniel Michael Thomas Andreas Stefan Peter
    Frank Jürgen Klaus Uwe Markus Christian Sebastian Tobias Florian Martin Matthias
    Mehmet Mustafa Ali Ahmet Murat Emre Can Yusuf Omar Ivan Dmitri Sergej Kevin Justin"""
FIRST_NAMES = frozenset(_FIRST_NAMES_TEXT.split())

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    (
        "file_number",
        re.compile(
            r"(?:\b(?:Az|AZ|Aktenzeichen|Akten-Nr|Geschäftszeichen|Gz|Fall-?Nr|Vorgangs-?Nr)"
            r"\.?:?\s*[\w./-]*\d[\w./-]*)"
            # Court files: "2 F 123/24", "12 UF 45/23", "403 F 1234/2024"
            r"|(?:\b\d{1,4}\s?[A-Z]{1,3}\s?\d{1,5}/\d{2,4}\b)"
            # Office files: "51.2-1234/24", "51-2024-0815" (a hyphen tells them from dates)
            r"|(?:\b\d{2,3}(?:\.\d{1,2})?-\d{2,6}(?:[-/]\d{2,4})?\b)"
        ),
    ),
    (
        "date",
        re.compile(
            r"\b\d{1,2}\.\s?\d{1,2}\.(?:\s?\d{2,4})?(?!\d)"
            rf"|\b\d{{1,2}}\.\s?(?:{_MONTHS})\.?(?:\s+\d{{2,4}})?\b"
            rf"|\b(?:{_MONTHS})\s+\d{{4}}\b"
            r"|\b\d{4}-\d{2}-\d{2}\b"
            r"|\bgeb(?:oren|\.)\s+(?:am\s+)?\S+"
        ),
    ),
    (
        "phone",
        re.compile(r"(?<![\w/])(?:\+49|0049|\(?0\d{2,5}\)?)(?:[ \t]*[/-]?[ \t]*\d){5,12}\b"),
    ),
    (
        "address",
        re.compile(
            rf"\b[{_UPPER}][{_LOWER}-]*{_STREET_SUFFIX}\s*\d{{1,4}}\s?[a-zA-Z]?\b"
            rf"|\b(?:[{_UPPER}][{_LOWER}]+\s)?(?:Straße|Weg|Allee|Platz|Gasse|Ring)\s\d{{1,4}}"
            rf"[a-zA-Z]?\b"
            rf"|\b\d{{5}}\s+[{_UPPER}][{_LOWER}]+"
        ),
    ),
    (
        "name",
        re.compile(
            # Titles and forms of address: "Frau Yilmaz", "Herrn Dr. Schulte", "Familie K."
            rf"\b(?:Frau|Herrn?|Hr\.|Fr\.|Familie|Fam\.|Dr\.|Prof\.)\s+"
            rf"(?:Dr\.\s+)?(?:{_CAP}|[{_UPPER}]\.)"
            # Family roles followed by a name: "Mutter Sabine", "Sohn Kevin"
            rf"|\b(?:Mutter|Vater|Kind|Sohn|Tochter|Bruder|Schwester|Oma|Opa|Großmutter"
            rf"|Großvater|Onkel|Tante|Stiefvater|Stiefmutter|Partner|Partnerin|Lebensgefährte"
            rf"|Lebensgefährtin)\s+(?!und\b|oder\b)[{_UPPER}][{_LOWER}]{{2,}}\b"
        ),
    ),
)


@dataclass(frozen=True)
class Hit:
    """One flagged passage: what kind, where, and the text itself."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


def _first_name_hits(text: str) -> list[Hit]:
    hits = []
    # The surname is a look-ahead, so "Sohn Kevin Müller" still sees "Kevin" as a start.
    for match in re.finditer(rf"\b({_CAP})(?=(\s+{_CAP})?)", text):
        if match.group(1) in FIRST_NAMES:
            end = match.end(1) + len(match.group(2) or "")
            hits.append(Hit("name", match.start(), end, text[match.start() : end]))
    return hits


def detect(text: str) -> list[Hit]:
    """All likely identifying passages in ``text``, in order, overlaps merged."""
    if not text:
        return []
    hits = [
        Hit(kind, m.start(), m.end(), m.group(0).rstrip(".,;: "))
        for kind, pattern in _PATTERNS
        for m in pattern.finditer(text)
    ]
    hits.extend(_first_name_hits(text))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    merged: list[Hit] = []
    for hit in hits:
        end = hit.start + len(hit.text)
        if merged and hit.start < merged[-1].end:
            # Overlapping hits ("Sohn Kevin" + "Kevin Müller") become one passage.
            last = merged[-1]
            if end > last.end:
                merged[-1] = Hit(last.kind, last.start, end, text[last.start : end])
            continue
        merged.append(Hit(hit.kind, hit.start, end, hit.text))
    return merged


def redact(text: str) -> str:
    """``text`` with every flagged passage replaced by a placeholder such as "[Name]"."""
    out, pos = [], 0
    for hit in detect(text):
        out.append(text[pos : hit.start])
        out.append(PLACEHOLDERS[hit.kind])
        pos = hit.end
    out.append(text[pos:])
    return "".join(out)


def kinds(text: str) -> set[str]:
    """The kinds of identifying detail found, e.g. {"name", "phone"}."""
    return {hit.kind for hit in detect(text)}
