"""Evidence attached to outcomes: checked uploads, deletion after commit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_record, serialize_for_audit
from core.choices import AuditAction
from quality.choices import (
    EvidenceKind,
)
from quality.models import (
    Evidence,
    Outcome,
)

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES: dict[str, tuple[str, ...]] = {
    ".pdf": ("application/pdf",),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    ".odt": ("application/vnd.oasis.opendocument.text",),
    ".png": ("image/png",),
    ".jpg": ("image/jpeg",),
    ".jpeg": ("image/jpeg",),
    ".txt": ("text/plain",),
}
# The first bytes of each accepted type: the browser's content type alone can be forged.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def _check_upload(upload: UploadedFile) -> tuple[str, str]:
    name = upload.name or ""
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ValidationError(
            {
                "file": _("Dateityp nicht erlaubt. Erlaubt sind: %(types)s.")
                % {"types": ", ".join(sorted(EVIDENCE_TYPES))}
            }
        )
    if upload.size is None or upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {"file": _("Die Datei ist größer als %(mb)s MB.") % {"mb": EVIDENCE_MAX_BYTES >> 20}}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("Die Datei ist leer.")})
    head = upload.read(16)
    upload.seek(0)
    magic = _MAGIC.get(ext)
    if magic and not any(head.startswith(m) for m in magic):
        raise ValidationError({"file": _("Der Inhalt passt nicht zur Dateiendung.")})
    if ext == ".txt" and b"\x00" in head:
        raise ValidationError({"file": _("Der Inhalt passt nicht zur Dateiendung.")})
    return ext, EVIDENCE_TYPES[ext][0]


def evidence_add(
    *,
    outcome: Outcome,
    title: str,
    actor: Any,
    url: str = "",
    upload: UploadedFile | None = None,
) -> Evidence:
    """Attach a link or a document (size ≤ 10 MB, type checked by extension and content)."""
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, outcome.municipality_id)
    if bool(url) == bool(upload):
        raise ValidationError(_("Bitte entweder einen Link oder ein Dokument angeben."))
    evidence = Evidence(
        outcome=outcome,
        title=title.strip(),
        added_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if upload is not None:
        _ext, content_type = _check_upload(upload)
        evidence.kind = EvidenceKind.FILE
        evidence.content_type = content_type
        evidence.size = upload.size or 0
        evidence.file = upload
    else:
        evidence.kind = EvidenceKind.LINK
        evidence.url = url.strip()
        if not evidence.url.lower().startswith(("https://", "http://")):
            raise ValidationError({"url": _("Bitte einen Link mit http(s):// angeben.")})
    with transaction.atomic():
        evidence.full_clean(exclude=["file"] if upload is None else None)
        evidence.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=evidence,
            after=serialize_for_audit(evidence),
            related=outcome,
        )
    return evidence


def evidence_delete(*, evidence: Evidence, actor: Any) -> None:
    """Remove a piece of evidence (and its stored file)."""
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, evidence.outcome.municipality_id
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=evidence,
            before=serialize_for_audit(evidence),
            related=evidence.outcome,
        )
        stored = evidence.file.name if evidence.file else ""
        evidence.delete()
        if stored:
            transaction.on_commit(lambda: default_storage.delete(stored))
