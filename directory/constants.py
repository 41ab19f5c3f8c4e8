"""Vocabularies and limits of the Frühe-Hilfen directory."""

from django.utils.translation import gettext_lazy as _

# Offers not confirmed for this many days are "stale" (the seeds: updated every year).
STALE_AFTER_DAYS = 365
# ... and after this grace period more they leave the public directory (issue 18): a parent
# must not call a number that stopped working a year ago. The coordination still sees them.
STALE_GRACE_DAYS = 90

# Target groups of early help (taxonomy "fruehe-hilfen-zielgruppen"): code → label.
TARGET_GROUPS: tuple[tuple[str, str], ...] = (
    ("schwangere", _("Schwangere und werdende Eltern")),
    ("saeugling", _("Familien mit Säugling (0–1 Jahr)")),
    ("kinder-0-3", _("Familien mit Kindern von 0 bis 3 Jahren")),
    ("kinder-3-6", _("Familien mit Kindern von 3 bis 6 Jahren")),
    ("alleinerziehende", _("Alleinerziehende")),
    ("junge-eltern", _("junge Eltern (unter 21)")),
    ("vaeter", _("Väter")),
    ("migration", _("Familien mit Migrations- oder Fluchtgeschichte")),
    ("belastete-eltern", _("Eltern mit psychischer Erkrankung oder Sucht")),
    ("behinderung", _("Familien mit Kind mit Behinderung")),
)
TARGET_GROUP_TAXONOMY = "fruehe-hilfen-zielgruppen"

# Age ranges of the age-bound target groups, in years as a half-open interval [from, to):
# the filter "0 bis 3 Jahre" also finds offers tagged "Säugling" (0–1) and offers whose
# own age range overlaps, instead of only offers carrying exactly that tag.
TARGET_GROUP_AGES: dict[str, tuple[int, int]] = {
    "saeugling": (0, 1),
    "kinder-0-3": (0, 3),
    "kinder-3-6": (3, 6),
}

# Distance search: radii offered (km) and the default.
RADII_KM: tuple[int, ...] = (1, 2, 5, 10, 20)
DEFAULT_RADIUS_KM = 5

# ISO 639-1 codes offered in the filter, with German names.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("de", _("Deutsch")),
    ("en", _("Englisch")),
    ("tr", _("Türkisch")),
    ("ar", _("Arabisch")),
    ("ru", _("Russisch")),
    ("uk", _("Ukrainisch")),
    ("pl", _("Polnisch")),
    ("fa", _("Persisch")),
    ("fr", _("Französisch")),
    ("es", _("Spanisch")),
    ("dgs", _("Deutsche Gebärdensprache")),
)
LANGUAGE_CODES = frozenset(code for code, _label in LANGUAGES)

# Import: at most this many rows, and a file of at most this size.
IMPORT_MAX_ROWS = 20_000
IMPORT_MAX_BYTES = 10 * 1024 * 1024
# No field of an offer is longer; checked while the table is read (with the row limit),
# so that a hostile file stops early with a clear message.
IMPORT_MAX_CELL = 5000
