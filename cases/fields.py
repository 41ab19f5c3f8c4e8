"""A text field stored encrypted at rest (AES-256-GCM via core.crypto)."""

from __future__ import annotations

from typing import Any

from django.db import models

from core import crypto


class EncryptedTextField(models.TextField):
    """Holds clear text in Python and an authenticated ciphertext in the database.

    Lookups on the value are meaningless (every write uses a fresh nonce); that is the point:
    identifying data is found through the procedure, never searched in the table.
    """

    description = "Encrypted text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
