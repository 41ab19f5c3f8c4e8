"""The keyed blind index of the person index (issue 16): find the same child again
without ever searching plaintext names.

A child is identified inside one commune by HMAC-SHA256 over its normalised name and its
birth date. The HMAC key is derived from the field-encryption key (so a leaked database dump
alone cannot test guesses), and the commune id is part of the message (the same child in two
communes has two unrelated index values). Changing the key makes every stored value stale;
``manage.py rebuild_person_index`` recomputes them from the encrypted names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

from core import crypto

_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_LETTERS = re.compile(r"[^a-z ]+")


def normalise_name(name: str) -> str:
    """Case, umlauts, accents, hyphens, punctuation and word order do not matter:
    "Müller-Lüdenscheidt, Lea" and "lea mueller ludenscheidt" give the same text."""
    text = name.casefold().translate(_TRANSLITERATE)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_LETTERS.sub(" ", text.replace("-", " "))
    return " ".join(sorted(text.split()))


def _index_key() -> bytes:
    raw = getattr(settings, "FIELD_ENCRYPTION_KEY", None)
    if not raw:
        crypto.require_key()  # raises the same clear error as the encrypted fields
    base = crypto._decode_key(raw)  # noqa: SLF001 – same key format, one decoder
    return hmac.new(base, b"ksqm person index v1", hashlib.sha256).digest()


def key_id() -> str:
    """Identifier of the current index key (stored with each entry to find stale ones)."""
    return crypto.key_id(_index_key())


def blind_index(*, municipality_id: int, name: str, birth_date: str) -> str:
    """The index value of (name, birth date) in a commune; empty if either is missing."""
    name_part = normalise_name(name)
    if not name_part or not birth_date:
        return ""
    message = f"{municipality_id}|{name_part}|{birth_date.strip()}".encode()
    return hmac.new(_index_key(), message, hashlib.sha256).hexdigest()
