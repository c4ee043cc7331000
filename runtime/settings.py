"""Where Alur keeps things: database, process files, forms, working calendar."""
from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .standard_time import WorkingCalendar

SQLITE_SYNCHRONOUS = ("NORMAL", "FULL", "EXTRA")


def package_data_dir(package: str) -> Path:
    """The folder of a data package shipped with Alur (`alur.processes`, `alur.forms`).

    Found through the import system, so it is the repository's folder in an editable
    install and the copy in site-packages in a wheel install.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package data '{package}' is not installed; reinstall Alur")
    return Path(next(iter(spec.submodule_search_locations)))


def default_processes_dir() -> Path:
    """The eleven SOPs shipped with Alur."""
    return package_data_dir("alur.processes")


def default_forms_dir() -> Path:
    """The forms shipped with Alur."""
    return package_data_dir("alur.forms")


def default_instance_dir() -> Path:
    """`instance/` in the current folder: where the app keeps its database and secret by default."""
    return Path.cwd() / "instance"


MIB = 1024 * 1024


@dataclass(frozen=True)
class AttachmentLimits:
    """How much may be attached: per task (files and bytes, over every upload on that task) and per
    instance (bytes over all its tasks). One file is at most 10 MiB (runtime/attachments.MAX_BYTES)."""

    files_per_task: int = 20
    bytes_per_task: int = 50 * MIB
    bytes_per_instance: int = 200 * MIB

    def __post_init__(self):
        for name in ("files_per_task", "bytes_per_task", "bytes_per_instance"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"attachment limit {name} must be a whole number of at least 1")

    @classmethod
    def from_env(cls, env) -> "AttachmentLimits":
        """ALUR_ATTACHMENT_FILES_PER_TASK, ALUR_ATTACHMENT_MIB_PER_TASK, ALUR_ATTACHMENT_MIB_PER_INSTANCE."""
        defaults = cls()
        values = {}
        for variable, name, unit in (("ALUR_ATTACHMENT_FILES_PER_TASK", "files_per_task", 1),
                                     ("ALUR_ATTACHMENT_MIB_PER_TASK", "bytes_per_task", MIB),
                                     ("ALUR_ATTACHMENT_MIB_PER_INSTANCE", "bytes_per_instance", MIB)):
            raw = env.get(variable)
            if raw is None or raw == "":
                values[name] = getattr(defaults, name)
            elif raw.strip().isdigit() and int(raw) >= 1:
                values[name] = int(raw) * unit
            else:
                raise ValueError(f"{variable} must be a whole number of at least 1, not {raw!r}")
        return cls(**values)


@dataclass(frozen=True)
class Settings:
    database_url: str
    processes_dir: Path = field(default_factory=default_processes_dir)
    forms_dir: Path = field(default_factory=default_forms_dir)
    instance_dir: Path = field(default_factory=default_instance_dir)
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    # SQLite only. In WAL mode NORMAL keeps every commit through a crash of the
    # app (a SIGKILL included) and skips the fsync per commit; only a power loss
    # or OS crash may undo the last commits. FULL also survives those, at about
    # 1 ms per commit.
    sqlite_synchronous: str = "NORMAL"
    attachment_limits: AttachmentLimits = field(default_factory=AttachmentLimits)
    # Where attachment bytes are kept (runtime/blobstore.py): "db", "folder", "s3", or None for the
    # default (the database with PostgreSQL, the instance folder with SQLite).
    attachment_store: str | None = None
    # The S3-compatible bucket (runtime/s3store.py): its name, the server when it is not AWS (MinIO),
    # and a folder of the bucket. The credentials are boto3's own (AWS_* variables, ~/.aws), not settings.
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_prefix: str = ""

    def __post_init__(self):
        if self.attachment_store not in (None, "db", "folder", "s3"):
            raise ValueError(f"ALUR_ATTACHMENT_STORE must be db, folder or s3, not {self.attachment_store!r}")
        if self.attachment_store == "s3" and not self.s3_bucket:
            raise ValueError("ALUR_ATTACHMENT_STORE=s3 needs ALUR_S3_BUCKET (the name of the bucket)")
        if self.s3_endpoint_url and not self.s3_endpoint_url.startswith(("http://", "https://")):
            raise ValueError(f"ALUR_S3_ENDPOINT_URL must start with http:// or https://, not {self.s3_endpoint_url!r}")
        if self.sqlite_synchronous.upper() not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"ALUR_SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS)}, "
                             f"not {self.sqlite_synchronous!r}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Settings from ALUR_* variables; the default database is SQLite in the instance folder."""
        env = os.environ if env is None else env
        instance_dir = Path(env["ALUR_INSTANCE_DIR"]) if env.get("ALUR_INSTANCE_DIR") else default_instance_dir()
        url = env.get("ALUR_DATABASE_URL") or f"sqlite:///{instance_dir / 'alur.sqlite3'}"
        return cls(
            database_url=url,
            processes_dir=Path(env["ALUR_PROCESSES_DIR"]) if env.get("ALUR_PROCESSES_DIR") else default_processes_dir(),
            forms_dir=Path(env["ALUR_FORMS_DIR"]) if env.get("ALUR_FORMS_DIR") else default_forms_dir(),
            instance_dir=instance_dir,
            calendar=WorkingCalendar(timezone=env.get("ALUR_TIMEZONE", "Asia/Jakarta")),
            sqlite_synchronous=env.get("ALUR_SQLITE_SYNCHRONOUS", "NORMAL"),
            attachment_limits=AttachmentLimits.from_env(env),
            attachment_store=(env.get("ALUR_ATTACHMENT_STORE") or "").strip().lower() or None,
            s3_bucket=(env.get("ALUR_S3_BUCKET") or "").strip() or None,
            s3_endpoint_url=(env.get("ALUR_S3_ENDPOINT_URL") or "").strip() or None,
            s3_prefix=(env.get("ALUR_S3_PREFIX") or "").strip(),
        )
