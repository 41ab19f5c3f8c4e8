"""Registry reference data that several modules share."""

# The 16 Länder with their official two-letter codes (ISO 3166-2:DE suffix).
# Order is the official alphabetical order used by Destatis.
GERMAN_STATES: tuple[tuple[str, str], ...] = (
    ("BW", "Baden-Württemberg"),
    ("BY", "Bayern"),
    ("BE", "Berlin"),
    ("BB", "Brandenburg"),
    ("HB", "Bremen"),
    ("HH", "Hamburg"),
    ("HE", "Hessen"),
    ("MV", "Mecklenburg-Vorpommern"),
    ("NI", "Niedersachsen"),
    ("NW", "Nordrhein-Westfalen"),
    ("RP", "Rheinland-Pfalz"),
    ("SL", "Saarland"),
    ("SN", "Sachsen"),
    ("ST", "Sachsen-Anhalt"),
    ("SH", "Schleswig-Holstein"),
    ("TH", "Thüringen"),
)

STATE_NAMES: tuple[str, ...] = tuple(name for _code, name in GERMAN_STATES)

# Tile-grid positions (column, row) for an offline overview map of Germany: each Land is
# one tile, placed roughly where it lies. No map tiles or external services needed.
STATE_TILES: dict[str, tuple[int, int]] = {
    "SH": (3, 1),
    "MV": (4, 1),
    "HB": (2, 2),
    "HH": (3, 2),
    "BB": (4, 2),
    "BE": (5, 2),
    "NW": (1, 3),
    "NI": (2, 3),
    "ST": (3, 3),
    "SN": (4, 3),
    "RP": (1, 4),
    "HE": (2, 4),
    "TH": (3, 4),
    "SL": (1, 5),
    "BW": (2, 5),
    "BY": (3, 5),
}
