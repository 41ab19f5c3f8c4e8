"""Where offers are, without any online service: a local postcode table and distances.

``directory/data/postcodes.csv`` holds the postcode areas of the communes with an
approximate centre point. A visitor's "PLZ, Adresse oder Stadtteil" is resolved against
it (:func:`locate`), offers without coordinates get their postcode's centre when they are
saved (:func:`centre_of_postcode`), and the result list is filtered and ordered by the
distance to that point. The map of the results is a static SVG drawn here from the
coordinates alone: no tile server, nothing fetched, works offline.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.db.models import ExpressionWrapper, F, FloatField, QuerySet, Value

TABLE = Path(__file__).resolve().parent / "data" / "postcodes.csv"
KM_PER_DEGREE = 111.2
_POSTCODE = re.compile(r"\b(\d{5})\b")


@dataclass(frozen=True)
class Place:
    """A point the search can measure distances from."""

    postcode: str
    place: str
    district: str
    latitude: float
    longitude: float

    @property
    def label(self) -> str:
        return f"{self.postcode} {self.place} ({self.district})"


class PostcodeTableError(ValueError):
    """The local table is malformed; the message names the line."""


def parse_table(text: str) -> tuple[Place, ...]:
    """Rows of the postcode table; ``#`` lines are comments. Raises on a bad line."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    lines = [(n, line) for n, line in lines if not line.lstrip().startswith("#")]
    if not lines:
        return ()
    header_no, header = lines[0]
    expected = ["postcode", "place", "district", "latitude", "longitude"]
    if header.strip().split(";") != expected:
        raise PostcodeTableError(f"line {header_no}: header must be {';'.join(expected)}")
    places = []
    for number, row in zip(
        (n for n, _line in lines[1:]),
        csv.reader((line for _n, line in lines[1:]), delimiter=";"),
        strict=True,
    ):
        if len(row) != 5 or not re.fullmatch(r"\d{5}", row[0].strip()):
            raise PostcodeTableError(f"line {number}: expected 5 fields and a 5-digit postcode")
        try:
            lat, lon = float(row[3]), float(row[4])
        except ValueError as exc:
            raise PostcodeTableError(f"line {number}: latitude/longitude not a number") from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise PostcodeTableError(f"line {number}: coordinates out of range")
        places.append(Place(row[0].strip(), row[1].strip(), row[2].strip(), lat, lon))
    return tuple(places)


@cache
def places() -> tuple[Place, ...]:
    return parse_table(TABLE.read_text(encoding="utf-8"))


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


def locate(text: str) -> Place | None:
    """The point a visitor means by a postcode, an address with postcode, or a district.

    A five-digit number wins (an address "Musterweg 3, 53113 Bonn"); otherwise a
    district or place name of the table ("Beuel", "Bad Godesberg"). None if unknown.
    """
    text = text.strip()
    if not text:
        return None
    table = places()
    match = _POSTCODE.search(text)
    if match:
        return next((p for p in table if p.postcode == match.group(1)), None)
    wanted = _fold(text)
    for place in table:
        if _fold(place.district) == wanted:
            return place
    for place in table:
        if wanted and (_fold(place.district) in wanted or wanted in _fold(place.district)):
            return place
    for place in table:
        if _fold(place.place) == wanted:
            return place
    return None


def centre_of_postcode(postcode: str) -> tuple[Decimal, Decimal] | None:
    """The table's centre of a postcode, as the model's decimals; None if unknown."""
    place = next((p for p in places() if p.postcode == postcode.strip()), None)
    if place is None:
        return None
    return Decimal(f"{place.latitude:.6f}"), Decimal(f"{place.longitude:.6f}")


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def within(qs: QuerySet, origin: Place, radius_km: float) -> QuerySet:
    """Offers within ``radius_km`` of ``origin``, annotated ``dist2`` and nearest first.

    ``dist2`` is the squared distance on a local flat projection (degrees of latitude,
    longitude scaled by cos φ), exact to well under 1 % within a commune and computable in
    plain SQL on SQLite and PostgreSQL alike; the page shows the haversine distance.
    """
    scale = math.cos(math.radians(origin.latitude))
    dlat = F("latitude") - Value(Decimal(f"{origin.latitude:.6f}"))
    dlon = (F("longitude") - Value(Decimal(f"{origin.longitude:.6f}"))) * Value(
        Decimal(f"{scale:.6f}")
    )
    dist2 = ExpressionWrapper(dlat * dlat + dlon * dlon, output_field=FloatField())
    limit = (radius_km / KM_PER_DEGREE) ** 2
    return (
        qs.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(dist2=dist2)
        .filter(dist2__lte=limit)
        .order_by("dist2", "name", "pk")
    )


@dataclass(frozen=True)
class MapPoint:
    number: int
    x: float
    y: float
    label: str
    url: str


@dataclass(frozen=True)
class ResultMap:
    """A static SVG map: numbered dots for offers and a cross for the searched place."""

    width: int
    height: int
    points: tuple[MapPoint, ...]
    origin: tuple[float, float] | None
    scale_km: float
    scale_px: float


def result_map(items: list, origin: Place | None, *, width: int = 320) -> ResultMap | None:
    """Project the offers with coordinates onto a small SVG (equirectangular, north up).

    ``items`` are services; ``None`` when fewer than one has coordinates.
    """
    located = [s for s in items if s.latitude is not None and s.longitude is not None]
    if not located:
        return None
    lats = [float(s.latitude) for s in located] + ([origin.latitude] if origin else [])
    lons = [float(s.longitude) for s in located] + ([origin.longitude] if origin else [])
    mid_lat = (min(lats) + max(lats)) / 2
    scale = math.cos(math.radians(mid_lat))
    span_x = max((max(lons) - min(lons)) * scale, 0.01)
    span_y = max(max(lats) - min(lats), 0.01)
    pad = 16
    unit = (width - 2 * pad) / max(span_x, span_y)
    height = int(span_y * unit + 2 * pad)
    width_px = int(span_x * unit + 2 * pad) if span_x < span_y else width

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (
            round(pad + (lon - min(lons)) * scale * unit, 1),
            round(pad + (max(lats) - lat) * unit, 1),
        )

    points = tuple(
        MapPoint(n, *xy(float(s.latitude), float(s.longitude)), s.name, s.get_absolute_url())
        for n, s in enumerate(located, 1)
    )
    # A scale bar of a round number of kilometres, about a third of the width.
    km_per_px = KM_PER_DEGREE / unit
    bar_km = next((k for k in (0.5, 1, 2, 5, 10, 20, 50) if k / km_per_px >= width_px / 5), 50.0)
    return ResultMap(
        width=width_px,
        height=max(height, 2 * pad),
        points=points,
        origin=xy(origin.latitude, origin.longitude) if origin else None,
        scale_km=bar_km,
        scale_px=round(bar_km / km_per_px, 1),
    )
