"""A small German normaliser and stemmer for search and similarity.

Snowball-like suffix stripping (R1/R2 regions after Caspari/Porter's German stemmer,
simplified), umlaut folding, and splitting of compounds at the common linking forms
(``-ungs-``, ``-heits-``, ``-keits-``, ``-ions-``, ``-täts-``), because German writes
"Gefährdungseinschätzungsbogen" where English writes three words. Written here rather
than pulled in as a package: it is short, and search and similarity must agree on it.
(directory and reviews use Snowball instead; ``core.search`` explains the difference.)
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from core.search import fold_umlauts, normalise_text

_WORD = re.compile(r"[a-zäöüß]+")
_VOWELS = set("aeiouyäöü")

STOPWORDS = frozenset(
    [
        "aber",
        "alle",
        "allem",
        "allen",
        "aller",
        "alles",
        "als",
        "also",
        "am",
        "an",
        "ander",
        "andere",
        "anderem",
        "anderen",
        "anderer",
        "anderes",
        "anders",
        "auch",
        "auf",
        "aus",
        "bei",
        "beim",
        "bin",
        "bis",
        "bzw",
        "da",
        "damit",
        "dann",
        "das",
        "dass",
        "dem",
        "den",
        "der",
        "des",
        "dessen",
        "die",
        "dies",
        "diese",
        "diesem",
        "diesen",
        "dieser",
        "dieses",
        "doch",
        "dort",
        "du",
        "durch",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "einig",
        "einige",
        "er",
        "es",
        "etwa",
        "euch",
        "für",
        "gegen",
        "hat",
        "hatte",
        "hier",
        "hin",
        "ihr",
        "im",
        "in",
        "ins",
        "ist",
        "ja",
        "jede",
        "jedem",
        "jeden",
        "jeder",
        "jedes",
        "jetzt",
        "kann",
        "kein",
        "keine",
        "man",
        "mit",
        "muss",
        "nach",
        "nicht",
        "noch",
        "nun",
        "nur",
        "ob",
        "oder",
        "ohne",
        "sehr",
        "sein",
        "seine",
        "sich",
        "sie",
        "sind",
        "so",
        "sowie",
        "soweit",
        "über",
        "um",
        "und",
        "uns",
        "unser",
        "unsere",
        "unter",
        "usw",
        "vom",
        "von",
        "vor",
        "wann",
        "war",
        "was",
        "weg",
        "weil",
        "weiter",
        "welche",
        "wenn",
        "wer",
        "werden",
        "wie",
        "wieder",
        "wir",
        "wird",
        "wo",
        "zu",
        "zum",
        "zur",
        "zwischen",
        "v.a",
        "ggf",
        "inkl",
    ]
)

# Linking forms after which a new compound part starts (longest first).
_COMPOUND_JOINTS = ("ungs", "heits", "keits", "schafts", "tions", "täts", "ions")
_MIN_PART = 4
# Frequent heads of compounds in child-protection texts: a word that ends in one of them
# after at least three letters is split there too ("Risiko|einschätzung").
_KNOWN_HEADS = tuple(
    sorted(
        [
            "einschätzung",
            "einschätzungen",
            "bogen",
            "konferenz",
            "konferenzen",
            "vereinbarung",
            "vereinbarungen",
            "dokumentation",
            "netzwerk",
            "netzwerke",
            "schutz",
            "hilfe",
            "hilfen",
            "dienst",
            "dienste",
            "amt",
            "ämter",
            "gericht",
            "beratung",
            "stelle",
            "stellen",
            "konzept",
            "konzepte",
            "verfahren",
            "management",
            "system",
            "analyse",
            "analysen",
            "untersuchung",
            "planung",
            "fortbildung",
            "fortbildungen",
            "tagung",
            "werkstatt",
            "standard",
            "standards",
            "kooperation",
            "koordination",
            "prävention",
            "förderung",
            "gruppe",
            "gruppen",
            "leitfaden",
            "leitlinie",
            "leitlinien",
            "bericht",
            "berichte",
            "arbeit",
            "besuch",
            "besuche",
        ],
        key=len,
        reverse=True,
    )
)


def normalize(text: str) -> str:
    """Lower case, NFC, soft hyphens and non-breaking spaces removed."""
    # A soft hyphen only marks where a word may break: "Gefähr\u00addung" is one word.
    return normalise_text(text).replace("\u00ad", "").replace("\u00a0", " ")


def _regions(word: str) -> tuple[int, int]:
    def after_non_vowel_following_vowel(start: int) -> int:
        for i in range(start + 1, len(word)):
            if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
                return i + 1
        return len(word)

    r1 = max(after_non_vowel_following_vowel(0), 3)
    r2 = after_non_vowel_following_vowel(r1)
    return min(r1, len(word)), r2


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball-like German stem of one lower-case word, umlauts folded."""
    word = word.replace("ß", "ss")
    if len(word) <= 3:
        return fold_umlauts(word)
    r1, r2 = _regions(word)
    # Step 1: inflection endings.
    for suffix in ("ern", "em", "er", "en", "es", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= r1:
            word = word[: -len(suffix)]
            if suffix in ("en", "es", "e") and word.endswith("niss"):
                word = word[:-1]
            break
    else:
        if word.endswith("s") and len(word) - 1 >= r1 and word[-2:-1] in set("bdfghklmnrt"):
            word = word[:-1]
    # Step 2: further inflection.
    for suffix in ("est", "en", "er"):
        if word.endswith(suffix) and len(word) - len(suffix) >= r1:
            word = word[: -len(suffix)]
            break
    else:
        if word.endswith("st") and len(word) - 2 >= max(r1, 4) and word[-3:-2] in set("bdfghklmnt"):
            word = word[:-2]
    # Step 3: derivational suffixes (in R2), so "Einschätzung" and "einschätzen" meet.
    for suffix in ("ungen", "ung", "heiten", "heit", "keiten", "keit", "lich", "isch", "ig"):
        if word.endswith(suffix) and len(word) - len(suffix) >= min(r2, r1 + 2):
            word = word[: -len(suffix)]
            break
    return fold_umlauts(word)


def split_compound(word: str) -> list[str]:
    """Parts of a compound at its linking forms; the word itself when none is found."""
    parts: list[str] = []
    rest = word
    while True:
        cut = -1
        for joint in _COMPOUND_JOINTS:
            index = rest.find(joint, _MIN_PART - len(joint) + 1)
            while index != -1:
                end = index + len(joint)
                if end >= _MIN_PART and len(rest) - end >= _MIN_PART:
                    cut = end if cut == -1 else min(cut, end)
                    break
                index = rest.find(joint, index + 1)
        if cut == -1:
            parts.extend(_split_known_head(rest))
            return parts
        parts.append(rest[:cut])
        rest = rest[cut:]


def _split_known_head(word: str) -> list[str]:
    for head in _KNOWN_HEADS:
        if word.endswith(head) and len(word) - len(head) >= 3:
            return [*_split_known_head(word[: -len(head)]), head]
    return [word]


def words(text: str) -> list[str]:
    """Content words of a text (lower case, stop words dropped)."""
    return [w for w in _WORD.findall(normalize(text)) if w not in STOPWORDS and len(w) > 1]


def compound_parts(text: str) -> list[str]:
    """The parts of the text's compounds (unstemmed), for engines that stem themselves."""
    out: list[str] = []
    for word in words(text):
        parts = split_compound(word)
        if len(parts) > 1:
            out.extend(parts)
    return out


def stems(text: str) -> list[str]:
    """Stems of the words and of their compound parts, for the full-text index."""
    out: list[str] = []
    for word in words(text):
        out.append(stem(word))
        parts = split_compound(word)
        if len(parts) > 1:
            out.extend(stem(part) for part in parts)
    return out


def features(text: str) -> Counter[str]:
    """Weighted terms for TF-IDF: stems, compound-part stems and stem trigrams.

    The character trigrams (prefixed ``#``) let "Risikoeinschätzung" meet
    "Gefährdungseinschätzungsbogen" even where the compound splitter finds no joint.
    """
    counter: Counter[str] = Counter()
    for word in words(text):
        base = stem(word)
        counter[base] += 2
        parts = split_compound(word)
        if len(parts) > 1:
            for part in parts:
                counter[stem(part)] += 2
        padded = f"_{base}_"
        if len(base) >= 4:
            for i in range(len(padded) - 2):
                counter["#" + padded[i : i + 3]] += 1
    return counter
