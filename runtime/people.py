"""People as pages name them: "Sekretaris Dinas (Budi Santoso)", never a user name.

A user has a full name (users.display_name), a NIP (18 digits) and a jabatan. Whoever a
page shows (who started, claimed, completed, uploaded, deployed) is named by `label`; the
engine's own entries (actor "system") are "Sistem". No Flask here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from .errors import InvalidData
from .models import User, UserRole

SYSTEM_ACTORS = {"system": "Sistem", "cli": "Operator (baris perintah)"}
UNKNOWN = "pengguna yang telah dihapus"
NIP_LENGTH = 18
MAX_JABATAN = 200
_NIP = re.compile(r"[0-9]{18}")
MAX_EMAIL = 254
# An address a mail can go to: one @, a dotted domain, ASCII (an SMTP server need not take more), no
# spaces, quotes, angle brackets or commas (which would make a header hold more than one address).
# Whether it exists only a mail to it tells.
_EMAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    nip: str | None = None
    jabatan: str | None = None

    @property
    def label(self) -> str:
        """ "Jabatan (Nama)", or the name alone when the user has no jabatan."""
        return f"{self.jabatan} ({self.name})" if self.jabatan else self.name


class People(dict):
    """user name -> Person; `get(username)` is the label a page shows (never the user name itself)."""

    def get(self, username, default=None):  # noqa: D401 - a dict's get, answering labels
        if username is None:
            return default if default is not None else "-"
        person = dict.get(self, username)
        if person is not None:
            return person.label
        return SYSTEM_ACTORS.get(username, UNKNOWN)

    def person(self, username: str) -> Person | None:
        return dict.get(self, username)


def people(alur, org: str | None = None) -> People:
    """Every user (of organisation `org`, if given) as a Person, by user name."""
    query = select(User.username, User.display_name, User.nip, User.jabatan)
    if org is not None:
        query = query.where(User.org == org)
    with alur.sessions() as session:
        return People({u: Person(u, name or u, nip, jabatan) for u, name, nip, jabatan in session.execute(query)})


def holders(alur, org: str, role: str) -> list[Person]:
    """The people of `org` who hold `role`, by name (who may take a task of a lane of that role)."""
    with alur.sessions() as session:
        rows = session.execute(
            select(User.username, User.display_name, User.nip, User.jabatan)
            .join(UserRole, UserRole.user_id == User.id).where(User.org == org, UserRole.role == role)
            .order_by(User.display_name))
        return [Person(u, name or u, nip, jabatan) for u, name, nip, jabatan in rows]


def clean_profile(nip: str | None, jabatan: str | None) -> tuple[str | None, str | None]:
    """(nip, jabatan) trimmed, empty ones None; InvalidData names a NIP that is not 18 digits or a
    jabatan longer than 200 characters."""
    errors: dict[str, str] = {}
    nip = "".join((nip or "").split()) or None  # "19800101 200501 1 001" as printed: spaces dropped
    jabatan = " ".join((jabatan or "").split()) or None
    if nip is not None and not _NIP.fullmatch(nip):
        errors["nip"] = f"NIP terdiri atas {NIP_LENGTH} angka"
    if jabatan is not None and len(jabatan) > MAX_JABATAN:
        errors["jabatan"] = f"maksimal {MAX_JABATAN} karakter"
    if errors:
        raise InvalidData(errors)
    return nip, jabatan


def clean_email(email: str | None) -> str | None:
    """`email` trimmed (None for none or empty); InvalidData when it is not one plain address of at
    most 254 characters."""
    email = (email or "").strip() or None
    if email is not None and (len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email)):
        raise InvalidData({"email": f"bukan alamat surel yang sah (nama@domain, maksimal {MAX_EMAIL} karakter)"})
    return email
