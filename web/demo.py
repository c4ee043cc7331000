"""`alur demo`: a SQLite database with every SOP deployed and one user per role, then serve.

Each distinct role of each organisation's deployed processes gets a user named
after the organisation and the role key (e.g. "sulteng.kepala-dinas"), with an
Indonesian full name, an 18-digit NIP and the lane's name as jabatan (pages show
"Kepala Dinas (Hendra Wijaya)"), and a generated password, printed and written to
<instance>/demo-users.txt; so do each organisation's admin ("sulteng.admin") and
process designer ("sulteng.perancang"). Running it again
keeps existing users and their passwords; --reset gives every demo user a new one.
"""
from __future__ import annotations

import secrets
import string
import sys
from pathlib import Path

from werkzeug.security import generate_password_hash

from alur.runtime import accounts, directory
from alur.runtime.engine import Alur
from alur.runtime.settings import Settings

CREDENTIALS_FILE = "demo-users.txt"
# The roles that perform no lane, with the display names of their demo users.
STAFF_ROLES = {accounts.ADMIN_ROLE: "Admin", accounts.DESIGNER_ROLE: "Perancang SOP"}


def demo_username(org: str, role: str) -> str:
    """The demo user of a role in an organisation: "sulteng.kepala-dinas" (just the role in "default")."""
    return role if org == "default" else f"{org.split('-')[0]}.{role}"


def demo_roles(alur: Alur) -> dict[tuple[str, str], str]:
    """(organisation, role key) -> display name (the first lane performing it), over all deployed
    processes; and for each of their organisations its admin and process designer."""
    roles: dict[tuple[str, str], str] = {}
    for process in alur.processes():
        for lane, role in sorted(directory.lane_roles(alur, process["org"], process["process_id"]).items()):
            roles.setdefault((process["org"], role), lane)
        for role, display_name in STAFF_ROLES.items():
            roles.setdefault((process["org"], role), display_name)
    return dict(sorted(roles.items()))


# Full names of the demo users, given out in the order of demo_roles (so a rerun gives the same ones).
DEMO_NAMES = [
    "Budi Santoso", "Siti Rahmawati", "Hendra Wijaya", "Dewi Lestari", "Ahmad Fauzi", "Nur Aini Pratiwi",
    "Rudi Hartono", "Sri Wahyuni", "Agus Salim", "Ratna Sari Dewi", "Muhammad Rizal", "Yuliana Putri",
    "Fransiskus Lamba", "Maria Goreti Tumanggor", "Irwan Setiawan", "Fitri Handayani", "Bambang Sutrisno",
    "Wulan Anggraini", "Andi Mappaseng", "Kadek Ayu Saraswati", "Yohanes Tandi", "Lilis Suryani",
    "Syamsul Bahri", "Nurhayati Lubis", "Eko Prasetyo", "Rini Marlina", "Darmawan Hadi", "Intan Permatasari",
]


def demo_profile(index: int, role: str, lane: str) -> tuple[str, str, str]:
    """(full name, NIP, jabatan) of the index-th demo user. A NIP is birth date (8 digits), month of
    appointment (6), sex (1: man, 2: woman) and a sequence number (3): 18 digits."""
    name = DEMO_NAMES[index % len(DEMO_NAMES)]
    if index >= len(DEMO_NAMES):
        name = f"{name} {index // len(DEMO_NAMES) + 1}"
    born = f"{1970 + index % 20}{1 + index % 12:02d}{1 + (index * 7) % 28:02d}"
    appointed = f"{1995 + index % 25}{1 + (index * 5) % 12:02d}"
    sex = "2" if index % 2 else "1"
    return name, f"{born}{appointed}{sex}{1 + index:03d}", lane


def new_password() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def _read_credentials(path: Path) -> dict[str, str]:
    known = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and not line.startswith("#"):
                known[parts[0]] = parts[1]
    return known


def setup_demo(settings: Settings, reset: bool = False) -> list[tuple[str, str, str]]:
    """Deploy every SOP and make the demo users; returns (username, password, display name) rows."""
    alur = Alur(settings)
    try:
        for refused in alur.deploy_directory().refused:  # reported; the other SOPs still make the demo
            print("\n".join(str(p) for p in refused.problems if p.severity == "error"), file=sys.stderr)
        path = Path(settings.instance_dir) / CREDENTIALS_FILE
        known = _read_credentials(path)
        existing = {a.username: a for a in accounts.list_users(alur)}
        rows = []
        for index, ((org, role), lane) in enumerate(demo_roles(alur).items()):
            username = demo_username(org, role)
            account = existing.get(username)
            password = known.get(username)
            name, nip, jabatan = demo_profile(index, role, lane)
            if account is None or not account.has_password or reset or password is None:
                password = new_password()
                directory.add_user(alur, username, [role], display_name=name, nip=nip, jabatan=jabatan,
                                   password_hash=generate_password_hash(password), org=org)
            elif account.display_name in (lane, username):  # a demo made before users had names
                directory.add_user(alur, username, [role], display_name=name, nip=nip, jabatan=jabatan, org=org)
            rows.append((username, password, f"{jabatan} ({name})"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# username\tpassword\tdisplay name (Alur demo users)\n"
                        + "".join(f"{u}\t{p}\t{d}\n" for u, p, d in rows), encoding="utf-8")
        path.chmod(0o600)
        return rows
    finally:
        alur.close()


def run_demo(host: str = "127.0.0.1", port: int = 5000, serve: bool = True, reset: bool = False) -> int:
    """Set up the demo in ALUR_INSTANCE_DIR (default ./instance), print the users, and serve."""
    settings = Settings.from_env()
    rows = setup_demo(settings, reset=reset)
    width = max(len(u) for u, _, _ in rows) if rows else 10
    print(f"Basis data: {settings.database_url}")
    print(f"Pengguna demo (juga di {Path(settings.instance_dir) / CREDENTIALS_FILE}):")
    for username, password, display in rows:
        print(f"  {username:<{width}}  {password}  ({display})")
    if not serve:
        return 0
    from .app import create_app

    print(f"Buka http://{host}:{port}/ dan masuk sebagai salah satu pengguna di atas.")
    create_app().run(host=host, port=port, debug=False)
    return 0
