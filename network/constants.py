"""Limits and defaults of the network registry."""

# Agreement documents: at most 10 MB, only formats a municipal office can open and archive.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# extension → magic bytes at the start of the file (the content must match the name).
DOCUMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
}
# Reminders go out this many days before the next review date.
REVIEW_REMINDER_DAYS = 30
# Above this many nodes, betweenness is estimated from a fixed-seed sample of pivots.
BETWEENNESS_EXACT_MAX_NODES = 1000
BETWEENNESS_SAMPLE = 100
# Metrics of an unchanged network are reused from the cache for this many seconds.
METRICS_CACHE_SECONDS = 3600
BROKER_COUNT = 5
