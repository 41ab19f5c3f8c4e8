"""Model fields that keep identifying social data encrypted at rest, bound to their row.

A value is sealed with AES-256-GCM (``core.crypto``) and *authenticated data* naming the
model, the field and the row's stable identity (its UUID ``code``)::

    ksqm:<app_label>.<model>:<field>:<row code>

A ciphertext copied by someone with database access into another row, another field or
another table therefore fails to decrypt instead of showing one family's data in another
family's record. Tokens of bound fields carry the version ``v2`` (``v1`` tokens are the
older unbound ones; the data migrations re-seal them).

Reading is lazy: the database value arrives as a :class:`SealedValue` and is opened the
first time the attribute is read on the instance (only then is the row identity known).
Writing happens in ``pre_save`` for the same reason. ``QuerySet.update()`` with a
non-empty value is refused, because it has no row to bind to; blanking (``""``) is allowed
(the retention purge uses it).

``values()``/``values_list()`` return :class:`SealedValue` objects; open them with
``Model._meta.get_field(name).open_for(code, value)``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core import checks
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from core import crypto

BOUND_VERSION = "v2"

__all__ = [
    "EncryptedJSONField",
    "EncryptedTextField",
    "SealedValue",
    "associated_data",
    "seal",
    "unseal",
]


class SealedValue:
    """A ciphertext read from the database that has not been opened yet."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __str__(self) -> str:
        # Never the token and never the clear text: this may end up in a template or log.
        return "«verschlüsselt»"

    def __repr__(self) -> str:
        return "SealedValue(…)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SealedValue) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


class _Prepared:
    """A token computed in ``pre_save`` that ``get_prep_value`` passes through unchanged."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token


def associated_data(label_lower: str, field_name: str, row_code: Any) -> bytes:
    """The authenticated data binding a value to model, field and row."""
    code = row_code if isinstance(row_code, uuid.UUID) else uuid.UUID(str(row_code))
    return f"ksqm:{label_lower}:{field_name}:{code}".encode()


def seal(plaintext: str, *, label_lower: str, field_name: str, row_code: Any) -> str:
    """Encrypt ``plaintext`` bound to one field of one row (a ``v2`` token)."""
    token = crypto.encrypt(
        plaintext, associated_data=associated_data(label_lower, field_name, row_code)
    )
    return BOUND_VERSION + token.removeprefix(crypto.VERSION)


def unseal(token: str, *, label_lower: str, field_name: str, row_code: Any) -> str:
    """Decrypt a ``v2`` token; raises ``crypto.DecryptionError`` if it belongs elsewhere."""
    if not token.startswith(BOUND_VERSION + ":"):
        raise crypto.DecryptionError("not a row-bound value")
    return crypto.decrypt(
        crypto.VERSION + token.removeprefix(BOUND_VERSION),
        associated_data=associated_data(label_lower, field_name, row_code),
    )


def is_sealed(value: Any) -> bool:
    """Whether a raw database value is a row-bound token."""
    return isinstance(value, str) and value.startswith(BOUND_VERSION + ":")


class _OpeningDescriptor(DeferredAttribute):
    """Opens the sealed value on first access, when the instance (and its code) is known.

    A data descriptor (it defines ``__set__``): otherwise the value in the instance's
    ``__dict__`` would shadow it and the sealed token would be returned unopened.
    """

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, SealedValue):
            value = self.field.open_on(instance, value)
            instance.__dict__[self.field.attname] = value
        return value


class _BoundEncryptedMixin:
    """Shared behaviour of the text and JSON variants."""

    descriptor_class = _OpeningDescriptor
    # serialize_for_audit records such a field as changed, never with its value.
    audit_redacted = True

    def __init__(self, *args: Any, bind_to: str = "code", **kwargs: Any) -> None:
        self.bind_to = bind_to
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.bind_to != "code":
            kwargs["bind_to"] = self.bind_to
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        model = getattr(self, "model", None)
        if model is None or model._meta.abstract:
            return errors
        try:
            target = model._meta.get_field(self.bind_to)
        except Exception:  # noqa: BLE001 - FieldDoesNotExist and friends: report, don't crash
            target = None
        if not isinstance(target, models.UUIDField) or not target.unique:
            errors.append(
                checks.Error(
                    f"{model.__name__}.{self.name} is encrypted and bound to its row through "
                    f"'{self.bind_to}', which must be a unique UUIDField on the model.",
                    hint="Add code = models.UUIDField(default=uuid.uuid4, unique=True, "
                    "editable=False) to the model.",
                    obj=self,
                    id="ksqm.E001",
                )
            )
        return errors

    # --- conversions -------------------------------------------------------------------

    def _empty(self) -> Any:
        return ""

    def _encode(self, value: Any) -> str:
        return str(value)

    def _decode(self, text: str) -> Any:
        return text

    def _is_empty(self, value: Any) -> bool:
        return value is None or value == ""

    def _row_code(self, instance: Any) -> Any:
        code = getattr(instance, self.bind_to, None)
        if code is None:
            raise crypto.DecryptionError(f"{self.model.__name__} has no {self.bind_to} to bind to")
        return code

    def open_for(self, row_code: Any, value: Any) -> Any:
        """The clear value of a raw or sealed database value of the row ``row_code``."""
        if isinstance(value, SealedValue):
            value = value.token
        if value is None or value == "":
            return self._empty()
        plain = unseal(
            value,
            label_lower=self.model._meta.label_lower,
            field_name=self.name,
            row_code=row_code,
        )
        return self._decode(plain)

    def open_on(self, instance: Any, value: SealedValue) -> Any:
        return self.open_for(self._row_code(instance), value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return self._empty()
        return SealedValue(value)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if self._is_empty(value):
            return ""
        token = seal(
            self._encode(value),
            label_lower=model_instance._meta.label_lower,
            field_name=self.name,
            row_code=self._row_code(model_instance),
        )
        return _Prepared(token)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, _Prepared):
            return value.token
        if isinstance(value, SealedValue):
            return value.token
        if self._is_empty(value):
            return ""
        raise TypeError(
            f"{self.name}: encrypted values are bound to their row and can only be written "
            "through Model.save(), not through QuerySet.update() or a lookup"
        )

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        return value

    def value_to_string(self, obj: Any) -> str:
        # dumpdata/serializers: never write clear text into a fixture file.
        return "«verschlüsselt»"


class EncryptedTextField(_BoundEncryptedMixin, models.TextField):
    """Clear text in Python, a row-bound AES-256-GCM token in the database.

    Lookups on the value are meaningless (every write uses a fresh nonce); that is the
    point: identifying data is found through the procedure, never searched in the table.
    """

    description = "Encrypted text bound to its row"

    def get_internal_type(self) -> str:
        return "TextField"

    def to_python(self, value: Any) -> Any:
        if isinstance(value, SealedValue):
            return value
        return super().to_python(value)


class EncryptedJSONField(_BoundEncryptedMixin, models.TextField):
    """A JSON object (e.g. the structured details of a step) stored as a row-bound token."""

    description = "Encrypted JSON bound to its row"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def get_internal_type(self) -> str:
        return "TextField"

    def _empty(self) -> Any:
        return {}

    def _is_empty(self, value: Any) -> bool:
        return value is None or value == "" or value == {}

    def _encode(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def _decode(self, text: str) -> Any:
        return json.loads(text)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value else {}
            except ValueError:
                return value
        return value

    def validate(self, value: Any, model_instance: Any) -> None:
        # The TextField validators would check a dict for a choice/length: not meaningful.
        if not self.blank and self._is_empty(value):
            super().validate(value, model_instance)

    def run_validators(self, value: Any) -> None:
        return None

    def formfield(self, **kwargs: Any) -> Any:
        from django.forms import JSONField as JSONFormField

        return super(models.TextField, self).formfield(**{"form_class": JSONFormField, **kwargs})


# --- data migrations ---------------------------------------------------------------------


def _clear_from_raw(raw: Any, *, is_json: bool) -> str | None:
    """The clear text of a value stored before sealing: plain text, JSON or a ``v1`` token."""
    if raw is None:
        return None
    if isinstance(raw, dict | list):  # a JSON column read by a driver that decodes it
        raw = json.dumps(raw, ensure_ascii=False, sort_keys=True)
    raw = str(raw)
    if raw == "":
        return None
    if crypto.is_encrypted(raw) and raw.startswith(crypto.VERSION + ":"):
        raw = crypto.decrypt(raw)
    if is_json:
        value = json.loads(raw)
        if value in (None, {}, [], ""):
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return raw


def seal_existing_rows(
    apps: Any,
    schema_editor: Any,
    *,
    model: str,
    fields: tuple[str, ...],
    json_fields: tuple[str, ...] = (),
    bind_to: str = "code",
) -> int:
    """Re-encrypt a table's identifying columns row-bound (a data migration's body).

    Reads with raw SQL, so that neither the historical field classes nor the ORM touch the
    values; accepts clear text, clear JSON and unbound ``v1`` tokens, and skips values that
    are already sealed, so the migration can run twice. Returns the number of rows changed.
    """
    historical = apps.get_model(model)
    meta = historical._meta
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    pk_col = meta.pk.column
    code_col = meta.get_field(bind_to).column
    columns = {name: meta.get_field(name).column for name in (*fields, *json_fields)}
    select = ", ".join(qn(c) for c in (pk_col, code_col, *columns.values()))
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {qn(meta.db_table)}")  # noqa: S608 - names quoted
        rows = cursor.fetchall()
    for row in rows:
        pk, code, *values = row
        updates: dict[str, str] = {}
        for (name, column), raw in zip(columns.items(), values, strict=True):
            if is_sealed(raw):
                continue
            clear = _clear_from_raw(raw, is_json=name in json_fields)
            if clear is None:
                if raw not in ("", None):
                    updates[column] = ""
                continue
            updates[column] = seal(
                clear, label_lower=meta.label_lower, field_name=name, row_code=code
            )
        if not updates:
            continue
        assignments = ", ".join(f"{qn(c)} = %s" for c in updates)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(pk_col)} = %s",  # noqa: S608
                [*updates.values(), pk],
            )
        changed += 1
    return changed


def populate_codes(apps: Any, schema_editor: Any, *, model: str, field: str = "code") -> None:
    """Give every existing row its own UUID (an ``AddField`` default would repeat one)."""
    historical = apps.get_model(model)
    for pk in historical._base_manager.values_list("pk", flat=True):
        historical._base_manager.filter(pk=pk).update(**{field: uuid.uuid4()})


def unseal_existing_rows(
    apps: Any,
    schema_editor: Any,
    *,
    model: str,
    fields: tuple[str, ...],
    clear_fields: tuple[str, ...] = (),
    bind_to: str = "code",
) -> None:
    """The reverse of :func:`seal_existing_rows`: back to ``v1`` tokens, or to clear text
    for ``clear_fields`` (columns that were not encrypted before the forward migration)."""
    historical = apps.get_model(model)
    meta = historical._meta
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    names = (*fields, *clear_fields)
    columns = [meta.get_field(n).column for n in names]
    select = ", ".join(qn(c) for c in (meta.pk.column, meta.get_field(bind_to).column, *columns))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {qn(meta.db_table)}")  # noqa: S608 - names quoted
        rows = cursor.fetchall()
    for pk, code, *values in rows:
        updates = {}
        for name, column, raw in zip(names, columns, values, strict=True):
            if not is_sealed(raw):
                continue
            clear = unseal(raw, label_lower=meta.label_lower, field_name=name, row_code=code)
            updates[column] = clear if name in clear_fields else crypto.encrypt(clear)
        if updates:
            assignments = ", ".join(f"{qn(c)} = %s" for c in updates)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {qn(meta.db_table)} SET {assignments} "  # noqa: S608
                    f"WHERE {qn(meta.pk.column)} = %s",
                    [*updates.values(), pk],
                )


def reseal_with_current_key(*, batch_size: int = 500) -> dict[str, int]:
    """Key rotation, second half: re-encrypt every row-bound value written with a retired
    key (``FIELD_ENCRYPTION_OLD_KEYS``) with the current key, so the old key can go.

    Walks every model with encrypted fields in primary-key batches; each value is opened
    with its row's code and sealed again (a fresh nonce, the same binding). Values already
    under the current key are skipped, so the run is idempotent and can be interrupted.
    Returns ``{"<app.Model>": rows changed}`` for the models that had any.
    """
    from django.apps import apps
    from django.db import transaction

    current = crypto.current_key_id()
    changed: dict[str, int] = {}
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, _BoundEncryptedMixin)]
        if not fields:
            continue
        bind_to = fields[0].bind_to
        names = [f.attname for f in fields]
        last_pk = None
        while True:
            qs = model._base_manager.order_by("pk")
            if last_pk is not None:
                qs = qs.filter(pk__gt=last_pk)
            rows = list(qs.values_list("pk", bind_to, *names)[:batch_size])
            if not rows:
                break
            last_pk = rows[-1][0]
            with transaction.atomic():
                for pk, code, *values in rows:
                    updates = {}
                    for field, value in zip(fields, values, strict=True):
                        if not isinstance(value, SealedValue):
                            continue
                        if crypto.token_key_id(value.token) == current:
                            continue
                        clear = unseal(
                            value.token,
                            label_lower=model._meta.label_lower,
                            field_name=field.name,
                            row_code=code,
                        )
                        updates[field.attname] = SealedValue(
                            seal(
                                clear,
                                label_lower=model._meta.label_lower,
                                field_name=field.name,
                                row_code=code,
                            )
                        )
                    if updates:
                        model._base_manager.filter(pk=pk).update(**updates)
                        changed[model._meta.label] = changed.get(model._meta.label, 0) + 1
    return changed
