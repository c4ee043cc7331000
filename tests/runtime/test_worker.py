"""`alur worker`: the people of a task's lane are mailed once that it waits for them, through a real
SMTP server (aiosmtpd) on this machine that the test starts and reads."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from alur.runtime import directory, local_time, mailing, notifications
from alur.runtime.cli import main
from alur.runtime.mailing import MailSettings, MailSettingsError
from alur.runtime.models import Mailbox, Notification, User, utcnow
from alur.runtime.worker import LAST_PASS, run_pass
from tests.conftest import PROJECT_ROOT

PROCESS = "kalbar-pengumpulan-skp"
SOP_NAME = "Pengumpulan Sasaran Kinerja Pegawai"
KALBAR = "kalbar-diskukm"
KASUBBAG = "kasubbag-umum-aparatur"  # the lane of Step_01 (and the user of that name, seeded per lane)
PEMROSES = "pemroses-administrasi-kepegawaian"
BASE_URL = "https://alur.kalbarprov.go.id"
SENDER = "Alur <alur@kalbarprov.go.id>"


class Recorder:
    """aiosmtpd's handler: every message the server accepted, with the recipients of its envelope."""

    def __init__(self, delay: float = 0.0):
        self.messages: list[tuple[list[str], object]] = []
        self.delay = delay
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("ditolak"):  # an address the server knows does not exist
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("penuh"):  # a mailbox full for now
            return "452 4.2.2 mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    def to(self, address: str) -> list:
        return [message for recipients, message in self.messages if address in recipients]

    def per_recipient(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for recipients, _ in self.messages:
            for address in recipients:
                counts[address] = counts.get(address, 0) + 1
        return counts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A real SMTP server on 127.0.0.1, started and stopped by the test."""

    def __init__(self, delay: float = 0.0):
        self.port = free_port()
        self.recorder = Recorder(delay)
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def settings(self) -> MailSettings:
        return MailSettings.from_env({"ALUR_SMTP_URL": self.url, "ALUR_SMTP_FROM": SENDER, "ALUR_BASE_URL": BASE_URL})


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def office(sop):
    """The SOP deployed, its lane users with addresses, and two more of the Kasubbag's role: Budi (mailed)
    and Sari (no address); and a user of another organisation holding the same role."""
    for role in (KASUBBAG, PEMROSES):
        directory.add_user(sop, role, [role], org=KALBAR, email=f"{role}@kalbarprov.go.id",
                           display_name=f"Pejabat {role}")
    directory.add_user(sop, "budi", [KASUBBAG], display_name="Budi Santoso", org=KALBAR, email="budi@kalbarprov.go.id")
    directory.add_user(sop, "sari", [KASUBBAG], display_name="Sari Dewi", org=KALBAR)
    directory.add_organisation(sop, "sulteng-diskukm", "Dinas Koperasi UKM Sulawesi Tengah")
    directory.add_user(sop, "lain", [KASUBBAG], org="sulteng-diskukm", email="lain@sultengprov.go.id")
    return sop


def states(alur) -> dict[tuple[str, str], str]:
    with alur.sessions() as session:
        return {(n.username, n.task_id): n.mail_state for n in session.scalars(select(Notification))}


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_the_people_of_the_lane_get_one_mail_in_indonesian_with_a_link(office, smtp):
    view = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan IV", nomor="800/12/Setda")
    (task,) = view.ready_tasks
    report = run_pass(office, smtp.settings())
    assert (report.notifications, report.mails_sent, report.failed) == (3, 2, ())
    assert smtp.recorder.per_recipient() == {f"{KASUBBAG}@kalbarprov.go.id": 1, "budi@kalbarprov.go.id": 1}
    (mail,) = smtp.recorder.to("budi@kalbarprov.go.id")
    assert mail["Subject"] == "Alur: 1 tugas baru menunggu Anda"
    assert mail["From"] == SENDER and mail["To"] == "Budi Santoso <budi@kalbarprov.go.id>"
    text = body(mail)
    assert text.startswith("Yth. Budi Santoso,\n")
    assert f"- {task.name}\n" in text
    assert "Perihal: SKP Triwulan IV (Nomor 800/12/Setda)" in text
    assert f"SOP: {SOP_NAME}" in text
    assert task.due_at is not None
    assert f"Batas waktu: {local_time.waktu(task.due_at, office.settings.calendar.zone)}" in text
    assert "WIB" in text  # the organisation's local time
    assert f"Buka: {BASE_URL}/tugas/{task.id}\n" in text
    assert states(office) == {(KASUBBAG, task.id): "sent", ("budi", task.id): "sent", ("sari", task.id): "skipped"}
    # Another pass a minute later: nothing new, nothing sent again.
    again = run_pass(office, smtp.settings(), report.at + timedelta(minutes=2))
    assert (again.notifications, again.mails_sent) == (0, 0) and len(smtp.recorder.messages) == 2
    assert notifications.mark(office, LAST_PASS) == again.at


def test_tasks_ready_within_a_minute_go_out_in_one_mail(office, smtp):
    first = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan III").ready_tasks[0]
    second = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan IV").ready_tasks[0]
    report = run_pass(office, smtp.settings())
    (mail,) = smtp.recorder.to("budi@kalbarprov.go.id")
    assert mail["Subject"] == "Alur: 2 tugas baru menunggu Anda"
    text = body(mail)
    assert f"/tugas/{first.id}" in text and f"/tugas/{second.id}" in text
    assert text.index("SKP Triwulan III") < text.index("SKP Triwulan IV")  # in the order they became ready
    third = office.start(PROCESS, KASUBBAG, perihal="SKP Tahunan").ready_tasks[0]
    soon = run_pass(office, smtp.settings(), report.at + timedelta(seconds=30))
    assert soon.notifications == 3 and soon.mails_sent == 0  # recorded, held back: Budi was mailed 30 s ago
    assert len(smtp.recorder.to("budi@kalbarprov.go.id")) == 1
    later = run_pass(office, smtp.settings(), report.at + timedelta(seconds=61))
    assert later.mails_sent == 2
    mails = smtp.recorder.to("budi@kalbarprov.go.id")
    assert len(mails) == 2 and mails[1]["Subject"] == "Alur: 1 tugas baru menunggu Anda"
    assert f"/tugas/{third.id}" in body(mails[1]) and f"/tugas/{first.id}" not in body(mails[1])


def test_a_task_done_or_claimed_before_the_mail_goes_is_skipped(office, smtp):
    done = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan III").ready_tasks[0]
    taken = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan IV").ready_tasks[0]
    now = utcnow()
    assert notifications.fan_out(office, now) == 6
    office.complete(done.id, KASUBBAG, {"isi_disposisi": "Sebarkan ke seluruh bidang"})
    office.claim(taken.id, "budi")
    report = mailing.mail_pending(office, smtp.settings(), now)
    assert report.mails_sent == 1 and report.notifications_sent == 1
    assert smtp.recorder.per_recipient() == {"budi@kalbarprov.go.id": 1}  # the Kasubbag: nothing left to do
    assert f"/tugas/{taken.id}" in body(smtp.recorder.to("budi@kalbarprov.go.id")[0])
    assert states(office) == {
        (KASUBBAG, done.id): "skipped", ("budi", done.id): "skipped", ("sari", done.id): "skipped",
        (KASUBBAG, taken.id): "skipped", ("budi", taken.id): "sent", ("sari", taken.id): "skipped"}
    # The next task (Step_02, the Pemroses' lane) is announced by the next pass.
    run_pass(office, smtp.settings(), now + timedelta(seconds=5))
    (mail,) = smtp.recorder.to(f"{PEMROSES}@kalbarprov.go.id")
    assert "Perihal: SKP Triwulan III" in body(mail)


def test_a_user_who_turned_mail_off_or_has_no_address_gets_none(office, smtp):
    directory.add_user(office, "budi", [KASUBBAG], org=KALBAR, notify_email=False)
    task = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan IV").ready_tasks[0]
    run_pass(office, smtp.settings())
    assert smtp.recorder.per_recipient() == {f"{KASUBBAG}@kalbarprov.go.id": 1}
    assert states(office)[("budi", task.id)] == "skipped" and states(office)[("sari", task.id)] == "skipped"


def test_smtp_down_loses_nothing_and_the_next_pass_sends(office):
    server = SmtpServer()  # not started yet: its port refuses connections
    task = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan IV").ready_tasks[0]
    down = run_pass(office, server.settings())
    # The first user's mail found the server down; the pass stopped there, the Kasubbag was not tried.
    assert down.mails_sent == 0 and down.failed == ("budi",)
    assert states(office)[("budi", task.id)] == "pending" and states(office)[(KASUBBAG, task.id)] == "pending"
    with office.sessions() as session:  # the mailbox's time is back as it was: no minute to wait
        assert session.get(Mailbox, "budi").last_mailed_at is None
    server.start()
    try:
        up = run_pass(office, server.settings(), down.at + timedelta(seconds=5))
    finally:
        server.stop()
    assert (up.notifications, up.mails_sent, up.failed) == (0, 2, ())
    assert server.recorder.per_recipient() == {f"{KASUBBAG}@kalbarprov.go.id": 1, "budi@kalbarprov.go.id": 1}
    assert states(office)[("budi", task.id)] == "sent"


def test_an_address_refused_for_good_is_skipped_one_refused_for_now_kept_and_the_others_mailed(office, smtp):
    directory.add_user(office, "budi", [KASUBBAG], org=KALBAR, email="ditolak.budi@kalbarprov.go.id")
    directory.add_user(office, "ani", [KASUBBAG], org=KALBAR, email="penuh.ani@kalbarprov.go.id")
    task = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan IV").ready_tasks[0]
    report = run_pass(office, smtp.settings())  # Ani first, then Budi, then the Kasubbag
    assert (report.mails_sent, report.failed) == (1, ("ani",))
    assert smtp.recorder.per_recipient() == {f"{KASUBBAG}@kalbarprov.go.id": 1}
    assert states(office)[("budi", task.id)] == "skipped" and states(office)[("ani", task.id)] == "pending"


def test_an_address_stored_by_other_means_that_no_header_can_hold_is_skipped(office, smtp):
    with office.sessions.begin() as session:  # as a hand-edited row would hold it
        session.execute(update(User).where(User.username == "budi")
                        .values(email="budi@kalbarprov.go.id\r\nBcc: lain@sultengprov.go.id"))
    task = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan IV").ready_tasks[0]
    report = run_pass(office, smtp.settings())
    assert (report.mails_sent, report.failed) == (1, ())
    assert smtp.recorder.per_recipient() == {f"{KASUBBAG}@kalbarprov.go.id": 1}
    assert states(office)[("budi", task.id)] == "skipped"


def test_a_claim_left_by_a_worker_that_died_is_sent_by_a_later_pass(office, smtp):
    task = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan IV").ready_tasks[0]
    now = utcnow()
    notifications.fan_out(office, now)
    with office.sessions.begin() as session:  # as a worker killed between its claim and its mail leaves it
        session.execute(update(Notification).where(Notification.username == "budi")
                        .values(mail_state="claimed", mail_at=now))
    run_pass(office, smtp.settings(), now)
    assert smtp.recorder.to("budi@kalbarprov.go.id") == [] and states(office)[("budi", task.id)] == "claimed"
    run_pass(office, smtp.settings(), now + mailing.CLAIM_TIMEOUT + timedelta(seconds=1))
    assert len(smtp.recorder.to("budi@kalbarprov.go.id")) == 1 and states(office)[("budi", task.id)] == "sent"


def test_mail_settings_name_what_is_missing_or_wrong():
    good = {"ALUR_SMTP_URL": "smtps://alur%40kalbar:rah%3Asia@mail.kalbarprov.go.id", "ALUR_SMTP_FROM": SENDER,
            "ALUR_BASE_URL": BASE_URL + "/"}
    settings = MailSettings.from_env(good)
    assert (settings.host, settings.port, settings.tls) == ("mail.kalbarprov.go.id", 465, True)
    assert (settings.username, settings.password, settings.base_url) == ("alur@kalbar", "rah:sia", BASE_URL)
    with pytest.raises(MailSettingsError, match="needs ALUR_SMTP_URL, ALUR_BASE_URL"):
        MailSettings.from_env({"ALUR_SMTP_FROM": SENDER})
    for name, value, message in (("ALUR_SMTP_URL", "http://mail", "smtp://"),
                                 ("ALUR_SMTP_URL", "smtp://mail:99999", "port"),
                                 ("ALUR_SMTP_FROM", "alur", "e-mail address"),
                                 ("ALUR_BASE_URL", "alur.kalbarprov.go.id", "http")):
        with pytest.raises(MailSettingsError, match=message):
            MailSettings.from_env({**good, name: value})


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    for name in ("ALUR_SMTP_URL", "ALUR_SMTP_FROM", "ALUR_BASE_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(*argv, expect=0):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # a usage error, as the `alur` script exits on it
            code = exc.code
        out, err = capsys.readouterr()
        assert code == expect, out + err
        return json.loads(out) if "--json" in argv and code == 0 else out + err

    return run


def test_cli_users_add_takes_an_address_and_worker_once_mails(cli, smtp, monkeypatch, tmp_path):
    from tests.conftest import PROCESSES

    cli("deploy", str(PROCESSES / f"{PROCESS}.bpmn"))
    added = cli("users", "add", "budi", "--role", KASUBBAG, "--org", KALBAR, "--display-name", "Budi Santoso",
                "--email", "budi@kalbarprov.go.id", "--json")
    assert added["email"] == "budi@kalbarprov.go.id"
    assert "bukan alamat surel" in cli("users", "add", "sari", "--role", KASUBBAG, "--org", KALBAR,
                                       "--email", "sari@", expect=1)
    assert "needs ALUR_SMTP_URL, ALUR_SMTP_FROM, ALUR_BASE_URL" in cli("worker", "--once", expect=1)
    assert "not a whole number" in cli("worker", "--interval", "0", expect=2)
    cli("start", PROCESS, "--user", "budi", "--perihal", "SKP Triwulan IV")
    monkeypatch.setenv("ALUR_SMTP_URL", smtp.url)
    monkeypatch.setenv("ALUR_SMTP_FROM", SENDER)
    monkeypatch.setenv("ALUR_BASE_URL", BASE_URL)
    report = cli("worker", "--once", "--json")
    assert (report["notifications"], report["mails_sent"]) == (1, 1)
    assert smtp.recorder.per_recipient() == {"budi@kalbarprov.go.id": 1}
    from alur.runtime.engine import Alur
    from alur.runtime.settings import Settings

    alur = Alur(Settings.from_env())
    try:
        with alur.sessions() as session:
            assert session.scalars(select(User.username)).all() == ["budi"]  # the bad address changed nothing
    finally:
        alur.close()


def test_two_worker_processes_send_each_notification_exactly_once(office, backend, tmp_path):
    """Issue 21: two `alur worker --once` processes at the same time on one database; the SMTP server
    takes a little while per message, so that their passes overlap."""
    holders = [f"staf{n:02d}" for n in range(12)]
    for name in holders:
        directory.add_user(office, name, [KASUBBAG], org=KALBAR, email=f"{name}@kalbarprov.go.id",
                           display_name=f"Staf {name[-2:]}")
    tasks = [office.start(PROCESS, KASUBBAG, perihal=f"SKP bidang {n}").ready_tasks[0] for n in range(3)]
    server = SmtpServer(delay=0.1)
    server.start()
    env = {**os.environ, "ALUR_DATABASE_URL": office.settings.database_url, "ALUR_INSTANCE_DIR": str(tmp_path / "w"),
           "ALUR_SMTP_URL": server.url, "ALUR_SMTP_FROM": SENDER, "ALUR_BASE_URL": BASE_URL}
    try:
        workers = [subprocess.Popen([sys.executable, "-m", "alur.runtime.cli", "worker", "--once", "--json"],
                                    cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        outputs = [worker.communicate(timeout=120) for worker in workers]
    finally:
        server.stop()
    assert [worker.returncode for worker in workers] == [0, 0], [err for _, err in outputs]
    reports = [json.loads(out) for out, _ in outputs]
    recipients = [f"{name}@kalbarprov.go.id" for name in [KASUBBAG, "budi", *holders]]
    assert server.recorder.per_recipient() == {address: 1 for address in recipients}
    assert sum(r["mails_sent"] for r in reports) == len(recipients)
    assert sum(r["notifications"] for r in reports) == len(tasks) * (len(recipients) + 1)  # Sari too, skipped
    for _, mail in server.recorder.messages:
        assert mail["Subject"] == "Alur: 3 tugas baru menunggu Anda"
        assert all(f"/tugas/{task.id}" in body(mail) for task in tasks)
    assert set(states(office).values()) == {"sent", "skipped"}


def test_the_worker_loop_mails_a_task_that_becomes_ready_while_it_runs_and_stops_on_sigterm(office, smtp, tmp_path):
    env = {**os.environ, "ALUR_DATABASE_URL": office.settings.database_url, "ALUR_INSTANCE_DIR": str(tmp_path / "w"),
           "ALUR_SMTP_URL": smtp.url, "ALUR_SMTP_FROM": SENDER, "ALUR_BASE_URL": BASE_URL}
    worker = subprocess.Popen([sys.executable, "-m", "alur.runtime.cli", "worker", "--interval", "1"], cwd=PROJECT_ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while notifications.mark(office, LAST_PASS) is None and time.monotonic() < deadline:
            time.sleep(0.2)  # the worker's first pass, before any task is ready
        task = office.start(PROCESS, KASUBBAG, perihal="SKP Triwulan IV").ready_tasks[0]
        while len(smtp.recorder.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert smtp.recorder.per_recipient() == {f"{KASUBBAG}@kalbarprov.go.id": 1, "budi@kalbarprov.go.id": 1}
    assert f"/tugas/{task.id}" in body(smtp.recorder.to("budi@kalbarprov.go.id")[0])
    assert "3 notifications, 2 mails (2 tasks)" in out
