"""Recognising one commune under different spellings across profiles.

Profiles name the same commune differently ("Stadt Ludwigshafen" / "Stadt Ludwigshafen
am Rhein") and carry typos ("Stadt Wolfburg" beside www.wolfsburg.de). We compare a
*key*: the kind of body (city or district — "Stadt Helmstedt" and "Landkreis Helmstedt"
are different bodies) plus the folded core name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.text import slugify

from registry.choices import BodyKind

# Name prefixes and the kind of body they denote, longest first.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("kreisfreie stadt", BodyKind.CITY),
    ("große kreisstadt", BodyKind.CITY),
    ("bundesstadt", BodyKind.FEDERAL_CITY),
    ("stadtgemeinde", BodyKind.CITY_MUNICIPALITY),
    ("freie hansestadt", BodyKind.HANSEATIC_CITY),
    ("hansestadt", BodyKind.HANSEATIC_CITY),
    ("universitätsstadt", BodyKind.CITY),
    ("landeshauptstadt", BodyKind.CITY),
    ("stadt", BodyKind.CITY),
    ("landkreis", BodyKind.DISTRICT),
    ("kreis", BodyKind.COUNTY),
    ("gemeinde", BodyKind.MUNICIPALITY),
    ("region", BodyKind.REGION),
    ("bezirk", BodyKind.BOROUGH),
    ("bezirksamt", BodyKind.BOROUGH),
)

# Cities and districts are the two families that must never be merged with each other.
_CITY_KINDS = {
    BodyKind.CITY,
    BodyKind.FEDERAL_CITY,
    BodyKind.CITY_MUNICIPALITY,
    BodyKind.HANSEATIC_CITY,
    BodyKind.MUNICIPALITY,
    BodyKind.BOROUGH,
}
_DISTRICT_KINDS = {BodyKind.DISTRICT, BodyKind.COUNTY, BodyKind.REGION}

# Place-name suffixes that distinguish spellings but not communes.
_SUFFIX = re.compile(r"\s+(am|an der|an der|im|in der|ob der|bei)\s+.+$")


def fold(text: str) -> str:
    """Lowercase, umlauts transliterated, punctuation to single spaces."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip().lower()
    for src, dst in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(src, dst)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def body_kind_of(name: str) -> str:
    """The kind of body named by the prefix, or by a '…kreis' word ("Altmarkkreis Salzwedel")."""
    lower = name.replace("\u00a0", " ").strip().lower()
    for prefix, kind in _PREFIXES:
        if lower == prefix or lower.startswith(prefix + " "):
            return kind
    if re.search(r"\w+kreis\b", lower):
        return BodyKind.COUNTY
    return BodyKind.UNKNOWN


def _family(kind: str) -> str:
    if kind in _CITY_KINDS:
        return "city"
    if kind in _DISTRICT_KINDS:
        return "district"
    return "unknown"


def core_name(name: str) -> str:
    """The folded name without the body prefix and without "am Rhein"-style suffixes."""
    lower = name.replace("\u00a0", " ").strip().lower()
    for prefix, _kind in _PREFIXES:
        if lower.startswith(prefix + " "):
            lower = lower[len(prefix) + 1 :]
            break
    lower = _SUFFIX.sub("", lower)
    return fold(lower)


@dataclass(frozen=True)
class NameKey:
    family: str
    core: str

    def __str__(self) -> str:
        return f"{self.family}:{self.core}"


def name_key(name: str) -> NameKey:
    return NameKey(_family(body_kind_of(name)), core_name(name))


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = 0
    edited = False
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        if edited:
            return False
        edited = True
        if len(a) == len(b):
            i += 1
        j += 1
    return True


def domain_core(website: str) -> str:
    """'www.bad-kreuznach.de' → 'bad kreuznach'; 'www.soziales.bremen.de' → 'bremen'."""
    host = re.sub(r"^[a-z]+://", "", website.strip().lower()).split("/")[0]
    parts = [p for p in host.split(".") if p not in ("www", "de", "com", "org", "net", "eu")]
    return fold(parts[-1]) if parts else ""


def same_commune(a: str, b: str, *, website_a: str = "", website_b: str = "") -> str | None:
    """Why two names denote the same commune ("exact", "suffix", "typo"), or None.

    Typos (one edit) only count for names of at least six letters, so that "Stadt Hof"
    and "Stadt Hoya" stay apart.
    """
    ka, kb = name_key(a), name_key(b)
    if "unknown" not in (ka.family, kb.family) and ka.family != kb.family:
        return None
    if not ka.core or not kb.core:
        return None
    if ka.core == kb.core:
        return "exact"
    shorter, longer = sorted((ka.core, kb.core), key=len)
    if longer.startswith(shorter + " "):
        return "suffix"
    if min(len(ka.core), len(kb.core)) >= 6 and _edit_distance_at_most_one(ka.core, kb.core):
        return "typo"
    for website, other in ((website_a, kb.core), (website_b, ka.core)):
        if website and domain_core(website).replace(" ", "") == other.replace(" ", ""):
            return "website"
    return None


def municipality_slug(name: str) -> str:
    """German-friendly slug: 'Stadt Osnabrück' → 'stadt-osnabrueck'."""
    return slugify(fold(name)) or "kommune"
