"""Reading and writing event logs: XES (IEEE 1849, also .xes.gz), CSV and Parquet.

Everything produces or consumes the *event frame* of :mod:`analytics.engine`. The
standard XES keys are recognised in every format: ``case:concept:name`` → ``case_id``,
``concept:name`` → ``activity``, ``time:timestamp`` → ``timestamp``, ``org:resource`` →
``resource``, ``org:group`` → ``institution``.

XES is parsed with lxml's ``iterparse``: it streams, clears every finished trace and
hands out a validated batch of whole traces every ``CHUNK_EVENTS`` events, so an upload
is converted batch by batch with memory bounded by one batch (CSV and Parquet likewise),
and it reports progress by file position. ``bench/process_mining.py --xes N`` measures
it against the Rust parser ``rustxes``: on 50,000 cases (430,000 events, 140 MB)
rustxes took 3.4 s and 509 MB peak, this reader 18.2 s and 214 MB (a loaded 2-core
machine). rustxes is faster, but it is a test-only dependency, holds the whole document
in memory, offers no progress and names no trace on errors; for uploads that may be
larger than memory likes, lxml stays.
Errors name the trace (XES) or the row (CSV) so a user can fix the file.

XES dialects. Real tools write XES in several shapes, and all of them are read alike:

* **Namespaces**: IEEE 1849 (``http://www.xes-standard.org/``), OpenXES 1.0 as ProM, Disco
  and other Fluxicon tools write it (``http://code.deckfour.org/xes``), any other namespace,
  or none. Elements are matched by their local name in the namespace of the ``<trace>``.
* **XES 1.0 and IEEE 1849-2016/2023** attribute types (``string date int float boolean id``);
  ``<list>`` and ``<container>`` values and attributes nested inside attributes
  (``xes.features="nested-attributes"``) are skipped: they are not columns of an event.
* **Classifier**: the log's first ``<classifier>`` names the activity, as ProM's default
  classifier does (keys joined by ``+`` like pm4py; quoted keys with spaces are allowed).
  ``lifecycle:transition`` in it is ignored because of the next rule; without a
  classifier the activity is ``concept:name``.
* **Lifecycle**: events whose ``lifecycle:transition`` is anything other than ``complete``
  (``start``, ``schedule``, ``assign`` …) are dropped, events without the attribute kept.
  pm4py's discovery counts every event, so a log with start and complete events would
  show each activity twice in a row (``A → A``); the usual practice of pm4py users and of
  ProM's "complete only" filters is to keep complete events, and so do we: one event per
  activity instance, dated when it was completed. A trace with no complete event is left
  out (it has not finished a single step); a log without any is an error.
* **Time zones** as pm4py handles them: an offset (``+01:00``, ``+0100``, ``Z``) is
  converted to UTC, a date without offset is read as UTC.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

import polars as pl
from django.utils.translation import gettext as _
from lxml import etree

from analytics.engine import ACTIVITY, CASE, TIMESTAMP

ProgressCallback = Callable[[float], None]

CHUNK_EVENTS = 200_000

# XES / pm4py names → our column names.
STANDARD_KEYS = {
    "case:concept:name": CASE,
    "concept:name": ACTIVITY,
    "time:timestamp": TIMESTAMP,
    "org:resource": "resource",
    "org:group": "institution",
    "org:role": "institution_type",
}
# Our columns → XES keys (for export); other columns are written under their own name.
EXPORT_KEYS = {
    CASE: "case:concept:name",
    ACTIVITY: "concept:name",
    TIMESTAMP: "time:timestamp",
    "resource": "org:resource",
    "institution": "org:group",
    "institution_type": "org:role",
}
TIMESTAMP_TYPE = pl.Datetime("us", "UTC")
# The prefixes of core.exports.FORMULA_PREFIXES as a regular expression for Polars.
FORMULA_START = r"^[=+\-@\t\r]"


# Error messages quote values from the file (a trace name, a date); a hostile or broken
# file can make those megabytes long, and the message is stored and shown on a page.
MAX_MESSAGE = 500


def truncate(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class EventLogError(ValueError):
    """A log that cannot be used; the message names the row or trace to fix."""

    def __init__(self, message: str, *, row: int | None = None, trace: str | None = None):
        super().__init__(truncate(message))
        self.row = row
        self.trace = truncate(trace, 200) if trace is not None else None


def detect_format(name: str) -> str:
    """``xes``, ``csv`` or ``parquet`` from a file name (``.xes.gz`` is XES)."""
    lower = name.lower()
    if lower.endswith((".xes", ".xes.gz")):
        return "xes"
    if lower.endswith((".csv", ".csv.gz", ".txt")):
        return "csv"
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    raise EventLogError(
        _("Unbekanntes Dateiformat „%(name)s“: erwartet werden .xes, .xes.gz, .csv oder .parquet.")
        % {"name": name}
    )


def read_log(
    path: str | Path,
    *,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    timestamp_format: str | None = None,
    progress: ProgressCallback | None = None,
) -> pl.DataFrame:
    """Any supported log file as a validated event frame."""
    path = Path(path)
    fmt = fmt or detect_format(path.name)
    if fmt == "xes":
        return read_xes(path, progress=progress)
    if fmt == "csv":
        return read_csv(path, mapping=mapping, timestamp_format=timestamp_format)
    if fmt == "parquet":
        return read_parquet(path, mapping=mapping)
    raise EventLogError(_("Unbekanntes Format „%(fmt)s“.") % {"fmt": fmt})


# --- timestamps --------------------------------------------------------------------------

_ISO_FORMATS_AWARE = (
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%.f%z",  # +0100, as some Java XES writers format the offset
    "%Y-%m-%dT%H:%M%:z",
)
_ISO_FORMATS_NAIVE = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)


def parse_timestamps(raw: pl.Expr, timestamp_format: str | None = None) -> pl.Expr:
    """ISO 8601 strings (with offset, ``Z`` or naive = UTC) → UTC datetimes; null if unparsable."""
    text = raw.str.strip_chars().str.replace(r"Z$", "+00:00")
    if timestamp_format:
        parsed = text.str.to_datetime(timestamp_format, strict=False, time_unit="us")
        if "%z" in timestamp_format or "%:z" in timestamp_format:
            return parsed.dt.convert_time_zone("UTC")
        return parsed.dt.replace_time_zone("UTC")
    candidates = [
        text.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
        for f in _ISO_FORMATS_AWARE
    ] + [
        text.str.to_datetime(f, strict=False, time_unit="us").dt.replace_time_zone("UTC")
        for f in _ISO_FORMATS_NAIVE
    ]
    return pl.coalesce(candidates)


def _validate(frame: pl.DataFrame, *, where: str) -> pl.DataFrame:
    """Check the required columns and values; raise with the first bad row or trace."""
    missing = [c for c in (CASE, ACTIVITY) if c not in frame.columns]
    if TIMESTAMP not in frame.columns:
        missing.append(TIMESTAMP)
    if missing:
        raise EventLogError(
            _("Pflichtspalten fehlen: %(missing)s. Gefunden: %(found)s.")
            % {"missing": ", ".join(missing), "found": ", ".join(frame.columns) or "–"}
        )
    if frame.height == 0:
        raise EventLogError(_("Das Protokoll enthält keine Ereignisse."))
    return frame


def _first_bad(frame: pl.DataFrame, condition: pl.Expr) -> int | None:
    hits = frame.select(pl.arg_where(condition).first()).item()
    return None if hits is None else int(hits)


# --- CSV and Parquet ---------------------------------------------------------------------


def _rename_map(columns: Iterable[str], mapping: dict[str, str] | None) -> dict[str, str]:
    """Source column → our column, from an explicit mapping or the standard names."""
    columns = list(columns)
    if mapping:
        unknown = [src for src in mapping.values() if src not in columns]
        if unknown:
            raise EventLogError(
                _("Die Zuordnung nennt Spalten, die es nicht gibt: %(cols)s. Gefunden: %(found)s.")
                % {"cols": ", ".join(unknown), "found": ", ".join(columns)}
            )
        return {src: ours for ours, src in mapping.items() if src}
    rename = {}
    for col in columns:
        key = STANDARD_KEYS.get(col, col)
        if key not in rename.values():
            rename[col] = key
    return rename


def _finish_tabular(frame: pl.DataFrame, *, timestamp_format: str | None, row_offset: int):
    _validate(frame, where="row")
    if frame.schema[TIMESTAMP] == pl.Utf8:
        raw = frame[TIMESTAMP]
        frame = frame.with_columns(parse_timestamps(pl.col(TIMESTAMP), timestamp_format))
        bad = _first_bad(frame, pl.col(TIMESTAMP).is_null() & raw.is_not_null())
        if bad is None:
            bad = _first_bad(frame, pl.col(TIMESTAMP).is_null())
        if bad is not None:
            raise EventLogError(
                _("Zeile %(row)d: Zeitstempel „%(value)s“ ist nicht lesbar.")
                % {"row": bad + row_offset, "value": raw[bad] or ""},
                row=bad + row_offset,
            )
    elif isinstance(frame.schema[TIMESTAMP], pl.Datetime):
        ts = pl.col(TIMESTAMP)
        tz = frame.schema[TIMESTAMP].time_zone  # type: ignore[union-attr]
        ts = ts.dt.convert_time_zone("UTC") if tz else ts.dt.replace_time_zone("UTC")
        frame = frame.with_columns(ts.dt.cast_time_unit("us"))
    else:
        raise EventLogError(_("Die Zeitstempel-Spalte enthält keine Zeitangaben."))
    frame = frame.with_columns(pl.col(CASE).cast(pl.Utf8), pl.col(ACTIVITY).cast(pl.Utf8))
    for col, label in ((CASE, _("Fall-ID")), (ACTIVITY, _("Aktivität"))):
        bad = _first_bad(frame, pl.col(col).is_null() | (pl.col(col).str.strip_chars() == ""))
        if bad is not None:
            raise EventLogError(
                _("Zeile %(row)d: %(what)s fehlt.") % {"row": bad + row_offset, "what": label},
                row=bad + row_offset,
            )
    return frame


BATCH_ROWS = 250_000


def read_csv(
    path: str | Path | IO[bytes],
    *,
    mapping: dict[str, str] | None = None,
    timestamp_format: str | None = None,
    separator: str | None = None,
) -> pl.DataFrame:
    """A CSV log; ``mapping`` maps our columns (case_id, activity, timestamp, …) to CSV headers.

    Without a mapping the standard XES names and our own names are recognised. The
    separator (``,`` or ``;``) is detected from the header line. Rows are numbered as a
    spreadsheet shows them (header = row 1).
    """
    if not isinstance(path, str | Path):  # an in-memory upload: small by definition
        if separator is None:
            separator = _sniff_separator(path)
        try:
            frame = pl.read_csv(
                path, separator=separator, infer_schema=False, encoding="utf8-lossy"
            )
        except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
            raise _unreadable("CSV", exc) from exc
        frame = frame.rename(_rename_map(frame.columns, mapping))
        return _finish_tabular(frame, timestamp_format=timestamp_format, row_offset=2)
    return _concat(
        iter_tabular(
            path,
            fmt="csv",
            mapping=mapping,
            timestamp_format=timestamp_format,
            separator=separator,
        )
    )


def read_parquet(path: str | Path, *, mapping: dict[str, str] | None = None) -> pl.DataFrame:
    """A Parquet log (as written by pm4py, Polars or our export)."""
    return _concat(iter_tabular(path, fmt="parquet", mapping=mapping))


def scan_parquet_trusted(
    path: str | Path, *, mapping: dict[str, str] | None = None
) -> pl.LazyFrame:
    """A Parquet log the operator vouches for, as a lazy event frame of three columns.

    For ``manage.py process_map`` and the other CLI analyses on a file from the
    operator's own disk: no batch-by-batch validation as for an upload (which reads
    every value twice), only the schema is checked — the three columns must exist and
    the timestamps be dates or text. Only those columns are read, and the read fuses
    into the analysis's own streaming pass. Nulls and blank ids are the operator's
    responsibility here; uploads always go through :func:`iter_tabular`.
    """
    lazy = pl.scan_parquet(path)
    try:
        schema = lazy.collect_schema()
    except (pl.exceptions.ComputeError, OSError) as exc:
        raise _unreadable("Parquet", exc) from exc
    rename = _rename_map(schema.names(), mapping)
    source = {ours: src for src, ours in rename.items()}
    missing = [c for c in (CASE, ACTIVITY, TIMESTAMP) if c not in source]
    if missing:
        raise EventLogError(
            _("Pflichtspalten fehlen: %(missing)s. Gefunden: %(found)s.")
            % {"missing": ", ".join(missing), "found": ", ".join(schema.names()) or "–"}
        )
    ts_type = schema[source[TIMESTAMP]]
    ts = pl.col(source[TIMESTAMP])
    if ts_type == pl.Utf8:
        ts = parse_timestamps(ts)
    elif ts_type == pl.Date:
        ts = ts.cast(pl.Datetime("us"))
    elif not isinstance(ts_type, pl.Datetime):
        raise EventLogError(_("Die Zeitstempel-Spalte enthält keine Zeitangaben."))
    return lazy.select(
        pl.col(source[CASE]).cast(pl.Utf8).alias(CASE),
        pl.col(source[ACTIVITY]).cast(pl.Utf8).alias(ACTIVITY),
        ts.alias(TIMESTAMP),
    )


def _concat(batches: Iterable[pl.DataFrame]) -> pl.DataFrame:
    frames = list(batches)
    if not frames:
        raise EventLogError(_("Das Protokoll enthält keine Ereignisse."))
    return pl.concat(frames, how="vertical_relaxed")


def _unreadable(kind: str, exc: Exception) -> EventLogError:
    return EventLogError(
        _("Die %(kind)s-Datei ist nicht lesbar: %(err)s") % {"kind": kind, "err": exc}
    )


def count_csv_rows(path: str | Path) -> int:
    """Data rows of a CSV file (lines after the header), read in blocks for progress.

    Quoted fields with line breaks make this an upper bound; progress is capped at 100 %.
    """
    lines, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1  # last line without a line break
    return max(lines - 1, 0)


def iter_tabular(
    path: str | Path,
    *,
    fmt: str,
    mapping: dict[str, str] | None = None,
    timestamp_format: str | None = None,
    progress: ProgressCallback | None = None,
    batch_rows: int | None = None,
    work_dir: str | Path | None = None,
    separator: str | None = None,
) -> Iterator[pl.DataFrame]:
    """A CSV or Parquet log as validated event-frame batches, streamed from disk.

    Only one batch is in memory at a time, so a log larger than memory can be converted
    batch by batch. Errors name the row as a spreadsheet shows it (CSV: header = row 1;
    Parquet: first record = row 1). ``.csv.gz`` is decompressed to a temporary file in
    ``work_dir`` first (the upload's own folder, so the plain copy of the data stays where
    the upload's files are and goes with them), because the CSV scanner cannot stream
    compressed input.
    """
    path = Path(path)
    if fmt == "csv" and path.name.lower().endswith(".gz"):
        yield from _iter_gzip_csv(
            path, mapping, timestamp_format, progress, batch_rows, work_dir, separator
        )
        return
    if fmt == "csv":
        kind, first_row = "CSV", 2
        lazy = pl.scan_csv(
            path,
            separator=separator or _sniff_separator(path),
            infer_schema=False,
            encoding="utf8-lossy",
        )
    else:
        kind, first_row = "Parquet", 1
        lazy = pl.scan_parquet(path)
    try:
        columns = lazy.collect_schema().names()
        total = count_csv_rows(path) if fmt == "csv" else lazy.select(pl.len()).collect().item()
        batches = lazy.rename(_rename_map(columns, mapping)).collect_batches(
            chunk_size=batch_rows or BATCH_ROWS
        )
        done = 0
        for batch in batches:
            if batch.height == 0:
                continue
            yield _finish_tabular(
                batch, timestamp_format=timestamp_format, row_offset=first_row + done
            )
            done += batch.height
            if progress and total:
                progress(min(done / total, 1.0))
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError) as exc:
        raise _unreadable(kind, exc) from exc


def _iter_gzip_csv(
    path: Path,
    mapping: dict[str, str] | None,
    timestamp_format: str | None,
    progress: ProgressCallback | None,
    batch_rows: int | None,
    work_dir: str | Path | None,
    separator: str | None,
) -> Iterator[pl.DataFrame]:
    with tempfile.NamedTemporaryFile(suffix=".csv", dir=work_dir) as plain:
        try:
            with open(path, "rb") as raw:
                packed = _BoundedGunzip(raw)
                while block := packed.read(1 << 24):
                    plain.write(block)
                    if progress:
                        progress(0.0)  # a sign of life while decompressing
        except (OSError, EOFError) as exc:
            raise _unreadable("CSV", exc) from exc
        plain.flush()
        yield from iter_tabular(
            plain.name,
            fmt="csv",
            mapping=mapping,
            timestamp_format=timestamp_format,
            progress=progress,
            batch_rows=batch_rows,
            separator=separator,
        )


def _sniff_separator(path: str | Path | IO[bytes]) -> str:
    if isinstance(path, str | Path):
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rb") as fh:
            head = fh.readline()
    else:
        pos = path.tell()
        head = path.readline()
        path.seek(pos)
    return ";" if head.count(b";") > head.count(b",") else ","


# --- XES ---------------------------------------------------------------------------------

_XES_ATTRS = {"string", "date", "int", "float", "boolean", "id"}


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


class _Columns:
    """Column lists of the current batch (attributes may appear in any event)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.data: dict[str, list[Any]] = {}
        self.n = 0

    def add(self, row: dict[str, Any]) -> None:
        for key, value in row.items():
            col = self.data.get(key)
            if col is None:
                col = self.data[key] = [None] * self.n
            col.append(value)
        self.n += 1
        for col in self.data.values():
            if len(col) < self.n:
                col.append(None)

    def take(self) -> pl.DataFrame | None:
        """The collected rows as a string frame (None if empty); starts a new batch."""
        frame = None
        if self.n:
            frame = pl.DataFrame({k: pl.Series(k, v, dtype=pl.Utf8) for k, v in self.data.items()})
        self.reset()
        return frame


# Decompression bounds (a 306 KB gzip "bomb" once unpacked to 300 MB of one trace name).
# Real logs: XES packs 10-40×, CSV 5-20×; checked once RATIO_GRACE bytes are unpacked.
MAX_DECOMPRESSED_BYTES = 16 * 1024**3
MAX_RATIO = 200
RATIO_GRACE = 8 * 1024**2


class _BoundedGunzip:
    """A gzip stream that stops at ``MAX_DECOMPRESSED_BYTES`` or a ratio over ``MAX_RATIO``.

    ``raw`` is the compressed file; its position is how much was consumed so far.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._packed = gzip.GzipFile(fileobj=raw)
        self.unpacked = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:  # never all at once: that is what a bomb wants
            size = 1 << 20
        data = self._packed.read(size)
        self.unpacked += len(data)
        if self.unpacked > MAX_DECOMPRESSED_BYTES:
            raise EventLogError(
                _("Entpackt ist die Datei größer als %(gb)d GB.")
                % {"gb": MAX_DECOMPRESSED_BYTES // 1024**3}
            )
        if self.unpacked > RATIO_GRACE and self.unpacked > MAX_RATIO * max(self._raw.tell(), 1):
            raise EventLogError(
                _(
                    "Die Datei entpackt sich auf mehr als das %(ratio)d-Fache; so stark lässt "
                    "sich kein Ereignisprotokoll packen (eine „Zip-Bombe“?)."
                )
                % {"ratio": MAX_RATIO}
            )
        return data


def _open_binary(path: str | Path) -> tuple[IO[bytes], IO[bytes], int]:
    """(stream to parse, raw file for progress, raw size); gzip bounded by _BoundedGunzip."""
    raw = open(path, "rb")  # noqa: SIM115 – closed by the caller
    size = os.fstat(raw.fileno()).st_size
    magic = raw.read(2)
    raw.seek(0)
    stream: Any = _BoundedGunzip(raw) if magic == b"\x1f\x8b" else raw
    return stream, raw, size


def read_xes(path: str | Path, *, progress: ProgressCallback | None = None) -> pl.DataFrame:
    """A XES log (IEEE 1849), plain or gzip-compressed, as one event frame (see iter_xes)."""
    batches = list(iter_xes(path, progress=progress))
    if not batches:
        raise EventLogError(_("Das Protokoll enthält keine Ereignisse."))
    return pl.concat(batches, how="diagonal_relaxed")


def iter_xes(
    path: str | Path,
    *,
    progress: ProgressCallback | None = None,
    batch_events: int | None = None,
) -> Iterator[pl.DataFrame]:
    """A XES log streamed with lxml ``iterparse`` as validated batches of whole traces.

    Only the current batch is held, so a log larger than memory can be converted batch by
    batch. Trace-level attributes become ``case:<key>`` columns as in pm4py;
    ``concept:name`` of the trace is the case id. Batches may differ in their attribute
    columns (an attribute first seen late). A trace without a name or without events is
    an error naming its position, as is an event without activity or with an unreadable
    date. Dialects, classifier and lifecycle: see the module docstring.
    """
    limit = batch_events or CHUNK_EVENTS
    stream, raw, size = _open_binary(path)
    cols = _Columns()
    classifiers: list[list[str]] = []
    activity_keys: list[str] | None = None
    kept_any = False
    try:
        for trace_no, trace_attrs, events in _iter_traces(stream, progress, raw, size, classifiers):
            if activity_keys is None:
                activity_keys = _activity_keys(classifiers)
            case = trace_attrs.get("concept:name")
            label = case or _("Nr. %(n)d") % {"n": trace_no}
            if not case:
                raise EventLogError(
                    _("Trace %(trace)s hat keinen Namen (concept:name).") % {"trace": label},
                    trace=label,
                )
            if not events:
                raise EventLogError(
                    _("Trace „%(trace)s“ enthält keine Ereignisse.") % {"trace": label},
                    trace=label,
                )
            extra = {f"case:{k}": v for k, v in trace_attrs.items() if k != "concept:name"}
            for pos, event in enumerate(events, start=1):
                transition = event.pop(LIFECYCLE, None)
                if transition is not None and transition.strip().lower() != "complete":
                    continue
                if activity_keys:
                    named = "+".join(event[k] for k in activity_keys if event.get(k))
                    if named:
                        event["concept:name"] = named
                if not event.get("concept:name"):
                    raise EventLogError(
                        _("Trace „%(trace)s“, Ereignis %(pos)d: Aktivität (concept:name) fehlt.")
                        % {"trace": label, "pos": pos},
                        trace=label,
                    )
                if not event.get("time:timestamp"):
                    raise EventLogError(
                        _("Trace „%(trace)s“, Ereignis %(pos)d: Zeitstempel fehlt.")
                        % {"trace": label, "pos": pos},
                        trace=label,
                    )
                cols.add({"case:concept:name": case, **extra, **event})
                kept_any = True
            if cols.n >= limit:
                yield _finish_xes_batch(cols.take())  # type: ignore[arg-type]
        rest = cols.take()
        if rest is not None:
            yield _finish_xes_batch(rest)
    except etree.XMLSyntaxError as exc:
        raise EventLogError(
            _("Die XES-Datei ist kein gültiges XML (Zeile %(line)s): %(err)s")
            % {"line": exc.lineno, "err": exc.msg}
        ) from exc
    except (OSError, EOFError) as exc:
        raise EventLogError(_("Die Datei ist nicht lesbar: %(err)s") % {"err": exc}) from exc
    finally:
        raw.close()
    if activity_keys is not None and not kept_any:
        raise EventLogError(
            _(
                "Das Protokoll enthält keine abgeschlossenen Ereignisse "
                "(lifecycle:transition = complete)."
            )
        )
    if progress:
        progress(1.0)


def _activity_keys(classifiers: list[list[str]]) -> list[str]:
    """The keys that name an activity: the first classifier's, without the lifecycle."""
    for keys in classifiers[:1]:
        named = [k for k in keys if k != LIFECYCLE]
        if named:
            return named
    return []


def _finish_xes_batch(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.rename(_rename_map(frame.columns, None))
    raw_ts = frame[TIMESTAMP]
    frame = frame.with_columns(parse_timestamps(pl.col(TIMESTAMP)))
    bad = _first_bad(frame, pl.col(TIMESTAMP).is_null())
    if bad is not None:
        trace = frame[CASE][bad]
        raise EventLogError(
            _("Trace „%(trace)s“: Zeitstempel „%(value)s“ ist nicht lesbar.")
            % {"trace": trace, "value": raw_ts[bad]},
            trace=trace,
        )
    return frame


def scan_frame(path: str | Path) -> pl.LazyFrame:
    """A converted log: one Parquet file, or a directory of ``part-*.parquet`` batches.

    Batches may differ in their optional columns (XES attributes first seen late), so the
    parts are concatenated diagonally: a column missing in a part reads as null.
    """
    path = Path(path)
    if not path.is_dir():
        return pl.scan_parquet(path)
    parts = sorted(path.glob("part-*.parquet"))
    if not parts:
        raise EventLogError(_("Das Protokoll enthält keine Ereignisse."))
    return pl.concat([pl.scan_parquet(p) for p in parts], how="diagonal_relaxed")


_XES_NS = "{http://www.xes-standard.org/}"
LIFECYCLE = "lifecycle:transition"
_CLASSIFIER_KEY = re.compile(r"'([^']*)'|(\S+)")


class _Tags:
    """Element names of one namespace (``""`` or ``"{uri}"``), built once per namespace."""

    _cache: dict[str, _Tags] = {}

    def __init__(self, ns: str) -> None:
        self.attributes = frozenset(ns + t for t in _XES_ATTRS)
        self.event = ns + "event"

    @classmethod
    def of(cls, tag: str) -> _Tags:
        ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
        tags = cls._cache.get(ns)
        if tags is None:
            tags = cls._cache[ns] = cls(ns)
        return tags


def _attributes(elem: Any, tags: _Tags) -> dict[str, str]:
    """Key → value of an element's direct attribute children (nested ones are skipped)."""
    values = {}
    attr_tags = tags.attributes
    for child in elem:
        if child.tag in attr_tags:
            attrib = child.attrib
            key, value = attrib.get("key"), attrib.get("value")
            if key is not None and value is not None:
                values[key] = value
    return values


def classifier_keys(text: str) -> list[str]:
    """The keys of a XES classifier: space-separated, keys with spaces in single quotes."""
    return [quoted or plain for quoted, plain in _CLASSIFIER_KEY.findall(text)]


def _iter_traces(
    stream: IO[bytes],
    progress: ProgressCallback | None,
    raw: IO[bytes],
    size: int,
    classifiers: list[list[str]],
) -> Iterator[tuple[int, dict[str, str], list[dict[str, str]]]]:
    """(trace number, trace attributes, events as key→value dicts) for each trace.

    lxml reports only finished ``<trace>`` (and ``<classifier>``) elements in any
    namespace or none; their children are read directly, which is several times faster
    than a callback per attribute element. Classifiers (declared before the first trace)
    are appended to ``classifiers``. Each trace and everything before it is freed once
    read, so memory does not grow with the file.
    """
    context = etree.iterparse(
        stream, events=("end",), tag=("{*}trace", "{*}classifier"), huge_tree=True
    )
    last_report, last_time = 0, time.monotonic()
    trace_no = 0
    for _action, elem in context:
        tags = _Tags.of(elem.tag)
        if elem.tag.endswith("classifier"):
            keys = classifier_keys(elem.get("keys") or "")
            if keys:
                classifiers.append(keys)
            continue
        trace_no += 1
        events = [_attributes(child, tags) for child in elem if child.tag == tags.event]
        yield trace_no, _attributes(elem, tags), events
        elem.clear(keep_tail=False)
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]
        # Every 2,000 traces, and at least every 2 s for logs of few, long traces: the
        # report is also the upload's sign of life (see services.STALE_AFTER).
        if progress and (trace_no - last_report >= 2000 or time.monotonic() - last_time >= 2):
            last_report, last_time = trace_no, time.monotonic()
            progress(min(0.99, raw.tell() / size) if size else 0.0)


# --- export ------------------------------------------------------------------------------


def _iso(ts: Any) -> str:
    text = ts.isoformat(timespec="milliseconds")
    return text


def write_xes(frame: pl.DataFrame, target: IO[str]) -> None:
    """Write an event frame as XES 1849 text (traces in case order, events in time order)."""
    from analytics.engine import sort_events

    frame = sort_events(frame).collect()
    target.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    target.write(
        '<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">\n'
    )
    for name, prefix, uri in (
        ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
        ("Time", "time", "http://www.xes-standard.org/time.xesext"),
        ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ):
        target.write(f'  <extension name="{name}" prefix="{prefix}" uri="{uri}"/>\n')
    case_cols = [c for c in frame.columns if c.startswith("case:")]
    event_cols = [c for c in frame.columns if c not in case_cols and c != CASE]
    current = None
    for row in frame.iter_rows(named=True):
        case = row[CASE]
        if case != current:
            if current is not None:
                target.write("  </trace>\n")
            target.write("  <trace>\n")
            target.write(f'    <string key="concept:name" value={quoteattr(str(case))}/>\n')
            for col in case_cols:
                if row[col] is not None:
                    key = col.removeprefix("case:")
                    target.write(
                        f"    <string key={quoteattr(key)} value={quoteattr(str(row[col]))}/>\n"
                    )
            current = case
        target.write("    <event>\n")
        for col in event_cols:
            value = row[col]
            if value is None:
                continue
            key = EXPORT_KEYS.get(col, col)
            if col == TIMESTAMP:
                target.write(f'      <date key="time:timestamp" value="{_iso(value)}"/>\n')
            else:
                target.write(
                    f"      <string key={quoteattr(key)} value={quoteattr(str(value))}/>\n"
                )
        target.write("    </event>\n")
    if current is not None:
        target.write("  </trace>\n")
    target.write("</log>\n")


def xes_bytes(frame: pl.DataFrame, *, compress: bool = False) -> bytes:
    """The XES document as bytes (gzip-compressed for .xes.gz)."""
    buffer = io.StringIO()
    write_xes(frame, buffer)
    data = buffer.getvalue().encode("utf-8")
    return gzip.compress(data) if compress else data


def _with_standard_names(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({c: EXPORT_KEYS[c] for c in frame.columns if c in EXPORT_KEYS})


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV with the standard XES column names, readable by pm4py, Disco and Celonis.

    Text starting like a formula is prefixed with an apostrophe, as in every export
    (``core.exports``): such a file is also opened in a spreadsheet.
    """
    out = _with_standard_names(frame)
    text = [c for c, t in out.schema.items() if t == pl.Utf8]
    out = out.with_columns(
        [
            pl.when(pl.col(c).str.contains(FORMULA_START))
            .then(pl.lit("'") + pl.col(c))
            .otherwise(pl.col(c))
            .alias(c)
            for c in text
        ]
    ).with_columns(pl.col("time:timestamp").dt.strftime("%Y-%m-%dT%H:%M:%S%.3f%:z"))
    return out.write_csv().encode("utf-8")


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """Parquet with the standard XES column names."""
    buffer = io.BytesIO()
    _with_standard_names(frame).write_parquet(buffer)
    return buffer.getvalue()
