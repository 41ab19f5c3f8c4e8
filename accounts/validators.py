"""Password rules beyond Django's: the words of this field are not passwords.

Django's ``CommonPasswordValidator`` knows the 20,000 most common passwords of public
breach corpora, offline. Attackers of a child-protection platform try its own vocabulary
first ("kinderschutz", "jugendamt2024!"), so those words are refused too, also with
digits, symbols or letter case added around them.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Lower-case words of the field, of the platform and of German password habits.
DOMAIN_WORDS = frozenset(
    {
        "kinderschutz",
        "kinderschutzqm",
        "kindeswohl",
        "kindeswohlgefaehrdung",
        "kindeswohlgefährdung",
        "jugendamt",
        "jugendhilfe",
        "sozialamt",
        "fachkraft",
        "fehlernlernen",
        "ausfehlernlernen",
        "qualitaet",
        "qualität",
        "qualitaetsmanagement",
        "qualitätsmanagement",
        "datenschutz",
        "familie",
        "familiengericht",
        "passwort",
        "kennwort",
        "geheim",
        "sommer",
        "winter",
        "herbst",
        "fruehling",
        "frühling",
        "willkommen",
        "hallo",
        "schatz",
        "fussball",
        "fußball",
        "deutschland",
        "berlin",
        "hamburg",
        "muenchen",
        "münchen",
        "koeln",
        "köln",
        "bonn",
        "bremen",
        "wolfsburg",
        "ksqm",
        "qwertz",
        "qwertzuiop",
        "asdfghjkl",
    }
)

_NOISE = re.compile(r"[\W\d_]+", re.UNICODE)


def normalise(password: str) -> str:
    """The letters of a password, lower case, without digits, spaces and symbols."""
    return _NOISE.sub("", password.casefold())


class DomainWordValidator:
    """Refuse passwords that are only one (or two repeated) words of the field plus noise."""

    def validate(self, password: str, user: Any = None) -> None:  # noqa: ARG002
        letters = normalise(password)
        if not letters or letters in DOMAIN_WORDS or _is_repeat_of_domain_word(letters):
            raise ValidationError(
                _(
                    "Dieses Passwort ist zu leicht zu erraten: es besteht aus einem gängigen "
                    "Wort (z. B. „Kinderschutz“) mit Ziffern oder Zeichen. Wählen Sie einen "
                    "Satz aus mehreren Wörtern."
                ),
                code="password_domain_word",
            )

    def get_help_text(self) -> str:
        return _("Das Passwort darf kein gängiges Wort aus dem Kinderschutz sein.")


def _is_repeat_of_domain_word(letters: str) -> bool:
    for word in DOMAIN_WORDS:
        if len(letters) % len(word) == 0 and letters == word * (len(letters) // len(word)):
            return True
    return False
