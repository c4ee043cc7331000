"""Attachment bytes in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...), through boto3.

Chosen with ALUR_ATTACHMENT_STORE=s3 and ALUR_S3_BUCKET (the bucket's name); ALUR_S3_ENDPOINT_URL
names a server other than AWS (MinIO: `http://minio:9000`), ALUR_S3_PREFIX a folder of the bucket
(`alur/`) when the bucket is shared. The credentials and the region are boto3's own: the AWS_*
environment variables, ~/.aws/config and ~/.aws/credentials, or the machine's role. Alur never
reads, prints or logs them.

An upload goes through boto3's managed transfer: in parts of PART_BYTES above that size (a multipart
upload, which the transfer aborts if a part fails, so that no object is ever half there). A download
reads the response body CHUNK_BYTES at a time as it is sent on, never the whole file at once.

A bucket is not part of the database's transaction: as with the folder, the object is in place
before its row commits and is removed again when the transaction fails; what a kill in between
leaves is an object without a row, which `alur attachments cleanup` removes.
"""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any, BinaryIO

from .blobstore import CHUNK_BYTES
from .engine import AlurError

PART_BYTES = 8 * 1024 * 1024  # S3 takes parts of at least 5 MiB (but the last)


class StoreUnavailable(AlurError):
    """The attachment store cannot be used: not installed, not configured, or not reachable."""

    status = 503


def _library():
    try:
        import boto3
        import botocore.config
        from boto3.s3.transfer import TransferConfig
    except ImportError:
        raise StoreUnavailable("ALUR_ATTACHMENT_STORE=s3 needs boto3, which is not installed: "
                               "pip install 'alur[s3]'") from None
    return boto3, botocore.config.Config, TransferConfig


def _errors() -> tuple[type[Exception], ...]:
    from botocore.exceptions import BotoCoreError, ClientError

    return BotoCoreError, ClientError


def _code(exc: Exception) -> str:
    """The S3 error code of a ClientError ("404", "NoSuchKey", "AccessDenied", ...), else ""."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class S3Store:
    """Objects named <prefix><generated name> in one bucket."""

    kind = "s3"
    commits_with_rows = False

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 part_bytes: int = PART_BYTES):
        boto3, Config, TransferConfig = _library()
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url or None
        # Short waits and few retries: a server that cannot reach its store says so within seconds.
        config = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})
        self.client: Any = boto3.session.Session().client("s3", endpoint_url=self.endpoint_url, config=config)
        self.transfer = TransferConfig(multipart_threshold=part_bytes, multipart_chunksize=part_bytes,
                                       max_concurrency=4)

    @classmethod
    def from_settings(cls, settings) -> "S3Store":
        """The store ALUR_S3_* name, checked to be reachable (StoreUnavailable naming the setting if not)."""
        if not settings.s3_bucket:
            raise StoreUnavailable("the S3 attachment store needs ALUR_S3_BUCKET (the bucket's name)")
        store = cls(settings.s3_bucket, settings.s3_prefix, settings.s3_endpoint_url)
        store.check()
        return store

    def _where(self) -> str:
        return f"bucket {self.bucket!r} at {self.endpoint_url or 'AWS S3'}"

    def check(self) -> None:
        """Refuse (StoreUnavailable, naming the setting to look at) a bucket that cannot be used."""
        from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except NoCredentialsError:
            raise StoreUnavailable("the S3 attachment store found no credentials: set AWS_ACCESS_KEY_ID and "
                                   "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or give the machine a role") from None
        except EndpointConnectionError as exc:
            raise StoreUnavailable(f"ALUR_S3_ENDPOINT_URL: cannot reach {self.endpoint_url or 'AWS S3'} ({exc})") from None
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchBucket"):
                raise StoreUnavailable(f"ALUR_S3_BUCKET: there is no {self._where()}") from None
            if _code(exc) in ("403", "AccessDenied"):
                raise StoreUnavailable(f"ALUR_S3_BUCKET: access to {self._where()} is denied to these "
                                       "credentials") from None
            raise StoreUnavailable(f"ALUR_S3_BUCKET: {self._where()} cannot be used ({exc})") from None
        except _errors() as exc:
            raise StoreUnavailable(f"ALUR_S3_ENDPOINT_URL: {self._where()} cannot be used ({exc})") from None

    def key(self, name: str) -> str:
        """The object key of an attachment's generated name."""
        return self.prefix + name

    def _unavailable(self, exc: Exception, doing: str) -> StoreUnavailable:
        return StoreUnavailable(f"attachment store s3: {doing} in {self._where()} failed ({exc})")

    def put(self, connection, name: str, content: bytes) -> None:
        """Upload `content` (multipart above PART_BYTES); the object appears whole or not at all."""
        try:
            self.client.upload_fileobj(io.BytesIO(content), self.bucket, self.key(name), Config=self.transfer)
        except _errors() as exc:
            raise self._unavailable(exc, f"storing {name}") from None

    def has(self, name: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(name))
            return True
        except _errors() as exc:
            if _code(exc) in ("404", "NoSuchKey"):
                return False
            raise self._unavailable(exc, f"looking up {name}") from None

    def open(self, name: str) -> BinaryIO | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
        except _errors() as exc:
            if _code(exc) in ("404", "NoSuchKey"):
                return None
            raise self._unavailable(exc, f"reading {name}") from None
        return io.BufferedReader(BodyReader(response["Body"]), buffer_size=CHUNK_BYTES)

    def delete(self, name: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))  # no error when it is not there
        except _errors() as exc:
            raise self._unavailable(exc, f"removing {name}") from None

    def modified(self) -> dict[str, datetime]:
        """Every name kept here, with the time its object was written."""
        found = {}
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    name = item["Key"][len(self.prefix):]
                    if name and "/" not in name:  # not a deeper folder of a shared bucket
                        found[name] = item["LastModified"]
        except _errors() as exc:
            raise self._unavailable(exc, "listing the objects") from None
        return found

    def names(self) -> set[str]:
        return set(self.modified())


class BodyReader(io.RawIOBase):
    """A get_object response body, read CHUNK_BYTES at a time (StreamingBody.iter_chunks) as it is asked for."""

    def __init__(self, body):
        self.body = body
        self.chunks = body.iter_chunks(CHUNK_BYTES)
        self.received = 0  # bytes taken from the connection so far
        self.piece = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.piece:
            piece = next(self.chunks, b"")
            if not piece:
                return 0
            self.received += len(piece)
            self.piece = memoryview(piece)
        size = min(len(buffer), len(self.piece))
        buffer[:size] = self.piece[:size]
        self.piece = self.piece[size:]
        return size

    def close(self) -> None:
        if not self.closed:
            self.body.close()
        super().close()
