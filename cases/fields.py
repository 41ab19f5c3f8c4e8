"""Encrypted fields of the cases app: now in ``core.fields`` (row-bound, shared by reviews).

Kept as an import path because migration ``0001_initial`` names it.
"""

from core.fields import EncryptedJSONField, EncryptedTextField

__all__ = ["EncryptedJSONField", "EncryptedTextField"]
