"""Where attachment bytes live: a folder of this server, or the database every server reaches.

The `attachments` table keeps each file's metadata under its generated name; a blob store keeps
the bytes under that name. Two stores:

- FolderStore: <instance_dir>/attachments/, the embedded default with SQLite (one server);
- DatabaseStore: the `attachment_chunks` table, in pieces of CHUNK_BYTES, the default with
  PostgreSQL, so that every app server behind a load balancer reads the same files. A download
  reads it piece by piece (one short query per piece), never the whole file at once.

ALUR_ATTACHMENT_STORE (`db` or `folder`) overrides the default. The store in use reads through to
the other one, so that files not yet moved by `alur attachments move` stay downloadable.
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO, Protocol, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.engine import Connection, Engine

from . import db
from .models import AttachmentChunk

CHUNK_BYTES = 256 * 1024
KINDS = ("db", "folder")

_chunks = cast(Table, AttachmentChunk.__table__)  # a declarative class's table


class BlobStore(Protocol):
    kind: str

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


class DatabaseStore:
    """Bytes in the attachment_chunks table, CHUNK_BYTES per row (bytea on PostgreSQL, BLOB on SQLite)."""

    kind = "db"

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


def store(kind: str, settings, engine: Engine):
    """The store of `kind` ("db" or "folder") for these settings and database."""
    if kind == "db":
        return DatabaseStore(engine)
    if kind == "folder":
        return FolderStore(Path(settings.instance_dir) / "attachments")
    raise ValueError(f"attachment store must be one of {', '.join(KINDS)}, not {kind!r}")


def for_engine(settings, engine: Engine) -> ReadThrough:
    """The store in use, reading through to the other kind."""
    kind = default_kind(settings, engine)
    return ReadThrough(store(kind, settings, engine), [store(k, settings, engine) for k in KINDS if k != kind])
