"""Where Alur keeps things: database, process files, forms, working calendar."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .standard_time import WorkingCalendar

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQLITE_SYNCHRONOUS = ("NORMAL", "FULL", "EXTRA")


@dataclass(frozen=True)
class Settings:
    database_url: str
    processes_dir: Path = PROJECT_ROOT / "processes"
    forms_dir: Path = PROJECT_ROOT / "forms"
    instance_dir: Path = PROJECT_ROOT / "instance"
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    # SQLite only. In WAL mode NORMAL keeps every commit through a crash of the
    # app (a SIGKILL included) and skips the fsync per commit; only a power loss
    # or OS crash may undo the last commits. FULL also survives those, at about
    # 1 ms per commit.
    sqlite_synchronous: str = "NORMAL"

    def __post_init__(self):
        if self.sqlite_synchronous.upper() not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"ALUR_SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS)}, "
                             f"not {self.sqlite_synchronous!r}")

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        """Settings from ALUR_* variables; the default database is SQLite in the instance folder."""
        env = os.environ if env is None else env
        instance_dir = Path(env.get("ALUR_INSTANCE_DIR", PROJECT_ROOT / "instance"))
        url = env.get("ALUR_DATABASE_URL") or f"sqlite:///{instance_dir / 'alur.sqlite3'}"
        return cls(
            database_url=url,
            processes_dir=Path(env.get("ALUR_PROCESSES_DIR", PROJECT_ROOT / "processes")),
            forms_dir=Path(env.get("ALUR_FORMS_DIR", PROJECT_ROOT / "forms")),
            instance_dir=instance_dir,
            calendar=WorkingCalendar(timezone=env.get("ALUR_TIMEZONE", "Asia/Jakarta")),
            sqlite_synchronous=env.get("ALUR_SQLITE_SYNCHRONOUS", "NORMAL"),
        )
