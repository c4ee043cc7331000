"""Where attachment bytes live: a folder of this server, the database, or an S3 bucket.

The `attachments` table keeps each file's metadata under its generated name; a blob store keeps
the bytes under that name. Three stores:

- FolderStore: <instance_dir>/attachments/, the embedded default with SQLite (one server);
- DatabaseStore: the `attachment_chunks` table, in pieces of CHUNK_BYTES, the default with
  PostgreSQL, so that every app server behind a load balancer reads the same files. A download
  reads it piece by piece (one short query per piece), never the whole file at once;
- S3Store (runtime/s3store.py): an S3-compatible bucket (ALUR_S3_BUCKET), which every server reaches too.

ALUR_ATTACHMENT_STORE (`db`, `folder` or `s3`) overrides the default. The store in use reads through
to the others (S3 only when ALUR_S3_BUCKET is set), so that files not yet moved by `alur attachments
move` stay downloadable.
"""
from __future__ import annotations

import io
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Protocol, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.engine import Connection, Engine

from . import db
from .models import AttachmentChunk

CHUNK_BYTES = 256 * 1024
KINDS = ("db", "folder", "s3")

_chunks = cast(Table, AttachmentChunk.__table__)  # a declarative class's table


class BlobStore(Protocol):
    kind: str
    # Whether a put given a connection is undone with that transaction (else the caller deletes it).
    commits_with_rows: bool

    def put(self, connection: Connection | None, name: str, content: bytes) -> None:
        """Keep `content` under `name` (replacing what was there). Given a connection in a write
        transaction, the bytes are kept only if that transaction commits (database) or are in place
        before it does (folder)."""

    def has(self, name: str) -> bool:
        """Whether the whole of `name` is kept here (a put is all or nothing)."""

    def open(self, name: str) -> BinaryIO | None:
        """A reader of `name`'s bytes, or None when this store does not have it."""

    def delete(self, name: str) -> None:
        """Forget `name` (nothing happens when it is not here)."""

    def names(self) -> set[str]:
        """The names kept here."""


class FolderStore:
    """Files in one folder of this server, named by the attachment's generated name."""

    kind = "folder"
    commits_with_rows = False

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def put(self, connection, name: str, content: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / (name + ".part")
        try:
            partial.write_bytes(content)
            os.replace(partial, self.folder / name)  # whole or not at all, also for a rerun of a move
        finally:
            partial.unlink(missing_ok=True)

    def has(self, name: str) -> bool:
        return (self.folder / name).is_file()

    def open(self, name: str) -> BinaryIO | None:
        try:
            return open(self.folder / name, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def delete(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)

    def names(self) -> set[str]:
        if not self.folder.is_dir():
            return set()
        return {p.name for p in self.folder.iterdir() if p.is_file() and not p.name.endswith(".part")}

    def modified(self) -> dict[str, datetime]:
        """Every file here (a `.part` file of an interrupted write too), with the time it was written."""
        if not self.folder.is_dir():
            return {}
        return {p.name: datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)
                for p in self.folder.iterdir() if p.is_file()}


class DatabaseStore:
    """Bytes in the attachment_chunks table, CHUNK_BYTES per row (bytea on PostgreSQL, BLOB on SQLite)."""

    kind = "db"
    commits_with_rows = True

    def __init__(self, engine: Engine):
        self.engine = engine

    def put(self, connection: Connection | None, name: str, content: bytes) -> None:
        if connection is None:
            with db.write_connection(self.engine) as own:
                self._put(own, name, content)
        else:
            self._put(connection, name, content)

    @staticmethod
    def _put(connection: Connection, name: str, content: bytes) -> None:
        connection.execute(delete(_chunks).where(_chunks.c.name == name))
        pieces = [content[i:i + CHUNK_BYTES] for i in range(0, len(content), CHUNK_BYTES)] or [b""]
        connection.execute(insert(_chunks), [{"name": name, "seq": seq, "data": piece}
                                             for seq, piece in enumerate(pieces)])

    def has(self, name: str) -> bool:
        with db.read_connection(self.engine) as connection:
            return connection.scalar(select(_chunks.c.seq).where(_chunks.c.name == name).limit(1)) is not None

    def open(self, name: str) -> BinaryIO | None:
        with db.read_connection(self.engine) as connection:
            count = connection.scalar(select(func.count()).where(_chunks.c.name == name))
        if not count:
            return None
        return io.BufferedReader(ChunkReader(self.engine, name, count), buffer_size=CHUNK_BYTES)

    def delete(self, name: str) -> None:
        with db.write_connection(self.engine) as connection:
            connection.execute(delete(_chunks).where(_chunks.c.name == name))

    def names(self) -> set[str]:
        with db.read_connection(self.engine) as connection:
            return set(connection.scalars(select(_chunks.c.name).distinct()))


class ChunkReader(io.RawIOBase):
    """The bytes of one stored file, fetched one chunk at a time as they are read (a slow download
    holds no database connection between chunks)."""

    def __init__(self, engine: Engine, name: str, count: int):
        self.engine, self.name, self.count = engine, name, count
        self.seq = 0
        self.piece = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.piece:
            if self.seq >= self.count:
                return 0
            with db.read_connection(self.engine) as connection:
                data = connection.scalar(select(_chunks.c.data).where(_chunks.c.name == self.name,
                                                                      _chunks.c.seq == self.seq))
            if data is None:  # deleted (or moved) while it was being read
                raise OSError(f"attachment {self.name} changed while it was read (chunk {self.seq} is gone)")
            self.piece = memoryview(bytes(data))
            self.seq += 1
        size = min(len(buffer), len(self.piece))
        buffer[:size] = self.piece[:size]
        self.piece = self.piece[size:]
        return size


class ReadThrough:
    """The store in use (`primary`), reading through to `others` for names it does not have yet."""

    def __init__(self, primary, others=()):
        self.primary = primary
        self.others = tuple(others)
        self.kind = primary.kind
        self.commits_with_rows = primary.commits_with_rows

    def put(self, connection, name: str, content: bytes) -> None:
        self.primary.put(connection, name, content)

    def has(self, name: str) -> bool:
        return any(store.has(name) for store in (self.primary, *self.others))

    def open(self, name: str) -> BinaryIO | None:
        for store in (self.primary, *self.others):
            reader = store.open(name)
            if reader is not None:
                return reader
        return None

    def delete(self, name: str) -> None:
        for store in (self.primary, *self.others):
            store.delete(name)

    def names(self) -> set[str]:
        return set().union(*(store.names() for store in (self.primary, *self.others)))


def default_kind(settings, engine: Engine) -> str:
    """The store to use: ALUR_ATTACHMENT_STORE (settings.attachment_store), else the database when it is
    PostgreSQL (several servers may share it) and the folder with SQLite."""
    if settings.attachment_store:
        return settings.attachment_store
    return "db" if engine.dialect.name == "postgresql" else "folder"


def configured_kinds(settings) -> tuple[str, ...]:
    """The stores these settings can reach: the database and the folder always, S3 when ALUR_S3_BUCKET is set."""
    return tuple(kind for kind in KINDS if kind != "s3" or settings.s3_bucket)


def store(kind: str, settings, engine: Engine):
    """The store of `kind` ("db", "folder" or "s3") for these settings and database. S3 is checked
    to be reachable (runtime/s3store.StoreUnavailable, naming the setting to look at, if not)."""
    if kind == "db":
        return DatabaseStore(engine)
    if kind == "folder":
        return FolderStore(Path(settings.instance_dir) / "attachments")
    if kind == "s3":
        from .s3store import S3Store  # boto3 is an optional dependency (the `s3` extra)

        return S3Store.from_settings(settings)
    raise ValueError(f"attachment store must be one of {', '.join(KINDS)}, not {kind!r}")


def for_engine(settings, engine: Engine) -> ReadThrough:
    """The store in use, reading through to the other kinds these settings reach."""
    kind = default_kind(settings, engine)
    return ReadThrough(store(kind, settings, engine),
                       [store(k, settings, engine) for k in configured_kinds(settings) if k != kind])
