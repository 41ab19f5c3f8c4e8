"""Encrypted, versioned backups and their restore into an empty installation.

Archive layout (format 1)::

    b"KSQMBAK1\\n"                      magic and format version
    u32 length + header JSON           plaintext: format, creation time, database engine,
                                       key ids (never keys), app migrations
    chunks: u32 length + nonce(12) + AES-256-GCM ciphertext of ≤ 1 MiB
            associated data = header ‖ chunk number ‖ last-chunk flag, so chunks cannot
            be reordered, dropped or cut off without the restore noticing

The plaintext inside is a gzip'ed tar stream: ``manifest.json`` (tables with row counts,
files with size and SHA-256), the database as the engine's own consistent copy
(PostgreSQL: ``pg_dump --format=custom``; SQLite: its online backup API, safe while the
application writes) and every file under ``MEDIA_ROOT`` (uploads and their derived
parts). The archive is written and read as a stream, so no plaintext copy of the whole
archive ever lies on disk.

Keys: the archive is encrypted with ``KSQM_BACKUP_KEY`` (``_FILE``) if set, otherwise
with a key derived from the data key (HKDF, so the archive key is not the data key
itself). The data key is never written into the archive: a stolen backup stays as useless
as a stolen database, and a restore needs the key given as for the running installation.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from core import fragcache

MAGIC = b"KSQMBAK1\n"
FORMAT = 1
CHUNK = 1024 * 1024
NONCE = 12


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- keys ----------------------------------------------------------------------------------


def _b64key(raw: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.strip() + "=" * (-len(raw.strip()) % 4))
    except ValueError as exc:
        raise BackupError(f"{name} is not valid urlsafe base64") from exc
    if len(key) != 32:
        raise BackupError(f"{name} must encode exactly 32 bytes")
    return key


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def archive_key() -> bytes:
    """The key archives are sealed with (see the module docstring)."""
    explicit = settings.BACKUP_KEY
    if explicit:
        return _b64key(explicit, "KSQM_BACKUP_KEY")
    data_key = settings.FIELD_ENCRYPTION_KEY
    if not data_key:
        raise BackupError(
            "No key: set KSQM_ENCRYPTION_KEY(_FILE) as for the installation, or KSQM_BACKUP_KEY."
        )
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"ksqm backup archive v1"
    ).derive(_b64key(data_key, "FIELD_ENCRYPTION_KEY"))


def _data_key_ids() -> list[str]:
    keys = [settings.FIELD_ENCRYPTION_KEY, *settings.FIELD_ENCRYPTION_OLD_KEYS]
    return [_key_id(_b64key(k, "FIELD_ENCRYPTION_KEY")) for k in keys if k]


# --- encrypted stream ----------------------------------------------------------------------


class _SealedWriter(io.RawIOBase):
    """A write-only file object that seals what is written in numbered chunks."""

    def __init__(self, out: IO[bytes], key: bytes, header: bytes) -> None:
        self.out, self.aes, self.header = out, AESGCM(key), header
        self.buffer = bytearray()
        self.number = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer.extend(data)
        while len(self.buffer) > CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        nonce = os.urandom(NONCE)
        aad = self.header + struct.pack(">QB", self.number, last)
        sealed = self.aes.encrypt(nonce, plain, aad)
        self.out.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        self.number += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


class _SealedReader(io.RawIOBase):
    """Reads and authenticates what :class:`_SealedWriter` wrote."""

    def __init__(self, source: IO[bytes], key: bytes, header: bytes) -> None:
        self.source, self.aes, self.header = source, AESGCM(key), header
        self.pending = b""
        self.number = 0
        self.finished = False

    def readable(self) -> bool:
        return True

    def _next(self) -> None:
        head = self.source.read(4)
        if len(head) < 4:
            raise BackupError("The archive is cut off (its last part is missing).")
        (size,) = struct.unpack(">I", head)
        blob = self.source.read(NONCE + size)
        if len(blob) < NONCE + size:
            raise BackupError("The archive is cut off mid-part.")
        for last in (False, True):
            aad = self.header + struct.pack(">QB", self.number, last)
            try:
                self.pending = self.aes.decrypt(blob[:NONCE], blob[NONCE:], aad)
            except Exception:  # noqa: BLE001,S112 – wrong flag: try the other one
                continue
            self.finished = last
            self.number += 1
            return
        raise BackupError(
            f"Part {self.number} of the archive does not authenticate: it was changed, "
            "or it was written with another key."
        )

    def readinto(self, target: Any) -> int:
        while not self.pending and not self.finished:
            self._next()
        n = min(len(target), len(self.pending))
        target[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


# --- database copies -----------------------------------------------------------------------


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # not on the command line (ps shows it)
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    if not shutil.which(cmd[0]):
        raise BackupError(f"{cmd[0]} is not installed (Debian package postgresql-client).")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()[-2000:]}")


def _dump_database(alias: str, target: Path) -> str:
    conn = connections[alias]
    if conn.vendor == "postgresql":
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "-f", str(target)],
            _pg_env(conn.settings_dict),
        )
        return "postgresql"
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            conn.connection.backup(dest)  # consistent even while others write
        finally:
            dest.close()
        return "sqlite"
    raise BackupError(f"Database engine {conn.vendor} is not supported by backup.")


def table_fingerprints(alias: str = "default") -> dict[str, dict[str, Any]]:
    """Every table with its row count and a digest of all its rows (order-independent)."""
    conn = connections[alias]
    result: dict[str, dict[str, Any]] = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            quoted = conn.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 – introspected name
            rows = sorted(repr(tuple(_plain(v) for v in row)) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            result[table] = {"rows": len(rows), "sha256": digest}
    return result


def _plain(value: Any) -> Any:
    # The same value reads back as another Python type on the two engines' drivers only
    # for binary data (memoryview); everything else compares as it is.
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    return value


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- backup --------------------------------------------------------------------------------


def backup_create(*, output: Path, alias: str = "default") -> dict[str, Any]:
    """Write an encrypted archive of the database and the uploaded files to ``output``."""
    key = archive_key()
    media_root = Path(settings.MEDIA_ROOT)
    recorder = MigrationRecorder(connections[alias])
    # The latest migration of each app: tells a restoring installation what code it needs.
    migrations = dict(recorder.migration_qs.order_by("id").values_list("app", "name"))
    header = json.dumps(
        {
            "format": FORMAT,
            "created": dt.datetime.now(tz=dt.UTC).isoformat(),
            "database": connections[alias].vendor,
            "archive_key_id": _key_id(key),
            "data_key_ids": _data_key_ids()[:1],
            "migrations": migrations,
        },
        sort_keys=True,
    ).encode()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="ksqm-backup-") as tmp:
        os.chmod(tmp, 0o700)
        dump = Path(tmp) / "database"
        vendor = _dump_database(alias, dump)
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "database": vendor,
            "tables": {t: v["rows"] for t, v in table_fingerprints(alias).items()},
            "files": [
                {
                    "path": p.relative_to(media_root).as_posix(),
                    "size": p.stat().st_size,
                    "sha256": _file_digest(p),
                }
                for p in files
            ],
        }
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + struct.pack(">I", len(header)) + header)
            sealed = _SealedWriter(out, key, header)
            with tarfile.open(fileobj=sealed, mode="w|gz") as tar:
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                tar.add(dump, arcname=f"database/{vendor}")
                for path in files:
                    tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
            sealed.close()
    partial.replace(output)  # a crash mid-backup never leaves a plausible-looking archive
    return manifest


# --- restore -------------------------------------------------------------------------------


def read_header(path: Path) -> dict[str, Any]:
    """The plaintext header of an archive (which keys and engine it needs)."""
    with Path(path).open("rb") as fh:
        return _read_header(fh)[0]


def _read_header(fh: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    if fh.read(len(MAGIC)) != MAGIC:
        raise BackupError("Not a Kinderschutz-QM backup (unknown file start).")
    (size,) = struct.unpack(">I", fh.read(4))
    raw = fh.read(size)
    header = json.loads(raw)
    if header.get("format") != FORMAT:
        raise BackupError(f"Archive format {header.get('format')} is not supported here.")
    return header, raw


def _database_is_empty(alias: str) -> bool:
    conn = connections[alias]
    with conn.cursor() as cursor:
        return not conn.introspection.table_names(cursor)


def _check_keys(header: dict[str, Any], key: bytes) -> None:
    if header["archive_key_id"] != _key_id(key):
        raise BackupError(
            f"The archive was sealed with key {header['archive_key_id']}, the key "
            f"configured here is {_key_id(key)}: give the data key (or KSQM_BACKUP_KEY) "
            "of the installation that wrote it."
        )
    wanted = set(header.get("data_key_ids") or [])
    if wanted and not wanted & set(_data_key_ids()):
        raise BackupError(
            f"The encrypted case data needs data key {', '.join(sorted(wanted))}; it is "
            "not among the configured keys (KSQM_ENCRYPTION_KEY / _OLD_KEYS)."
        )


def _extract(archive: Path, key: bytes, folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decrypt and unpack ``archive`` into ``folder``; every part and file is checked."""
    with Path(archive).open("rb") as fh:
        header, raw_header = _read_header(fh)
        _check_keys(header, key)
        reader = io.BufferedReader(_SealedReader(fh, key, raw_header), CHUNK)
        try:
            with tarfile.open(fileobj=reader, mode="r|gz") as tar:
                tar.extractall(folder, filter="data")
            while reader.read(CHUNK):  # through the last part: a cut-off archive fails here
                pass
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"The archive cannot be unpacked: {exc}") from exc
        # Anything after the last part would be an appended forgery.
        if fh.read(1):
            raise BackupError("The archive has data after its last part.")
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        path = folder / "media" / entry["path"]
        if not path.is_file() or _file_digest(path) != entry["sha256"]:
            raise BackupError(f"File {entry['path']} is missing or damaged in the archive.")
    return header, manifest


def backup_verify(*, archive: Path) -> dict[str, Any]:
    """Decrypt and check ``archive`` completely without restoring it; the manifest."""
    with tempfile.TemporaryDirectory(prefix="ksqm-verify-") as tmp:
        os.chmod(tmp, 0o700)
        return _extract(archive, archive_key(), Path(tmp))[1]


def backup_restore(
    *, archive: Path, alias: str = "default", media_root: Path | None = None
) -> dict[str, Any]:
    """Restore ``archive`` into the empty database ``alias`` and an empty media folder.

    Refuses (``BackupError``) a non-empty target, another database engine, an archive
    sealed with a key that is not configured, a data key that does not match, and any
    change to the archive; then checks every table's row count and every file's digest
    against the manifest. Returns the manifest.
    """
    media = Path(media_root or settings.MEDIA_ROOT)
    conn = connections[alias]
    key = archive_key()
    header = read_header(archive)
    _check_keys(header, key)
    if header["database"] != conn.vendor:
        raise BackupError(
            f"The archive holds a {header['database']} database; this installation "
            f"uses {conn.vendor}. Restore into the same engine."
        )
    if not _database_is_empty(alias):
        raise BackupError(
            "The target database is not empty: restore only into a new installation "
            "(a new database, before `migrate`)."
        )
    if media.exists() and any(media.iterdir()):
        raise BackupError(f"The media folder {media} is not empty.")
    with tempfile.TemporaryDirectory(prefix="ksqm-restore-") as tmp:
        os.chmod(tmp, 0o700)
        _header, manifest = _extract(archive, key, Path(tmp))
        _restore_database(alias, Path(tmp) / "database" / header["database"])
        _restore_media(Path(tmp) / "media", media, manifest["files"])
    counts = {t: v["rows"] for t, v in table_fingerprints(alias).items()}
    if counts != manifest["tables"]:
        differing = sorted(
            t
            for t in set(counts) | set(manifest["tables"])
            if counts.get(t) != manifest["tables"].get(t)
        )
        raise BackupError(f"Restored tables differ from the backup: {', '.join(differing)}")
    # Web processes that kept running (or share this cache) must not serve fragments they
    # rendered from the data before the restore.
    fragcache.everything_changed()
    return manifest


def _restore_database(alias: str, dump: Path) -> None:
    conn = connections[alias]
    if conn.vendor == "postgresql":
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "-d",
                str(conn.settings_dict["NAME"]),
                str(dump),
            ],
            _pg_env(conn.settings_dict),
        )
        return
    conn.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(conn.connection)
    finally:
        source.close()


def _restore_media(source: Path, media: Path, files: list[dict[str, Any]]) -> None:
    media.mkdir(parents=True, exist_ok=True)
    for entry in files:  # digests were checked on extraction
        src = source / entry["path"]
        dest = media / entry["path"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
