"""Module constants of the standards library."""

from standards.choices import DocumentStatus

# The lifecycle of a local standard: which status may follow which.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    DocumentStatus.DRAFT: frozenset({DocumentStatus.CONSULTATION, DocumentStatus.ADOPTED}),
    DocumentStatus.CONSULTATION: frozenset({DocumentStatus.DRAFT, DocumentStatus.ADOPTED}),
    # Adopted → adopted: a newer version is decided and replaces the one in force.
    DocumentStatus.ADOPTED: frozenset(
        {DocumentStatus.ADOPTED, DocumentStatus.REPEALED, DocumentStatus.CONSULTATION}
    ),
    DocumentStatus.REPEALED: frozenset(),
}

# Coordinators are reminded this many days before a document's review date.
REVIEW_REMINDER_DAYS = 30

# Uploaded version files: PDF or office documents, at most 10 MB.
VERSION_FILE_MAX_BYTES = 10 * 1024 * 1024
VERSION_FILE_TYPES = {
    ".pdf": "application/pdf",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".md": "text/markdown",
}
