"""The admin's working calendar page and `alur calendar` (runtime/calendar_admin.py behind both):
days off and hours of the admin's own organisation; each change recomputes due times not yet
passed and is audited; a bad date or time is named next to its field and changes nothing."""
from __future__ import annotations

import html
import json

import pytest
from alur.runtime import directory
from alur.runtime.models import AuditEntry, CalendarDay
from tests.web.conftest import ORG, PASSWORD_HASH

SOP = "sulteng-pengumpulan-data-kinerja"


def _admin(alur):
    directory.add_user(alur, "sulteng.admin", ["admin"], display_name="Admin Sulteng", password_hash=PASSWORD_HASH,
                       org=ORG)
    return "sulteng.admin"


def _calendar_rows(alur) -> list:
    with alur.sessions() as session:
        return sorted((r.day.isoformat(), r.off, r.description) for r in session.query(CalendarDay))


def test_the_page_lists_national_days_off_and_the_organisations_hours(client, login, alur, text_of):
    login(client, _admin(alur))
    text = text_of(client.get("/admin/kalender/?tahun=2026"))
    assert "Senin, 2026-08-17 Hari Kemerdekaan Republik Indonesia libur nasional Tetap bekerja" in text
    assert "Kamis, 2026-12-24 Cuti Bersama Hari Raya Natal cuti bersama" in text
    assert "Senin 08:00–16:00" in text and "Sabtu libur" in text
    # A holiday on a weekend is not worked anyway: no button to work it.
    assert "Sabtu, 2026-03-21 Hari Raya Idul Fitri libur nasional Minggu" in text


def test_a_day_off_moves_the_due_time_of_a_waiting_task_and_is_audited(client, login, post, alur):
    view = alur.start(SOP, "kepala-dinas", perihal="Data kinerja")
    task = view.ready_tasks[0]
    login(client, _admin(alur))
    due_day = task.due_at.astimezone(alur.settings.calendar.zone).date()  # a working day, not yet passed
    # Off on the day the task is due: its remaining minutes run on the next working day.
    response = post(client, "/admin/kalender/libur", {"tanggal": due_day.isoformat(), "keterangan": "Hari Jadi"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/kalender/")
    assert (due_day.isoformat(), True, "Hari Jadi") in _calendar_rows(alur)
    moved = alur.task(task.id).due_at
    assert moved > task.due_at and moved.astimezone(alur.settings.calendar.zone).date() > due_day
    with alur.sessions() as session:
        entry = session.query(AuditEntry).filter_by(action="calendar").one()
    assert entry.actor == "sulteng.admin" and entry.data["change"] == "add_day_off" and entry.data["recomputed"] >= 1


def test_bad_dates_times_and_days_are_named_and_change_nothing(client, login, post, alur, text_of):
    login(client, _admin(alur))
    for url, body, expected in (
        ("/admin/kalender/libur", {"tanggal": "17-08-2026", "keterangan": "x"},
         "Tanggal: tanggal ditulis TTTT-BB-HH (misalnya 2026-08-17), bukan '17-08-2026'"),
        ("/admin/kalender/libur", {"tanggal": "2026-08-17", "keterangan": "x"},
         "Tanggal: 2026-08-17 sudah hari libur"),
        ("/admin/kalender/libur", {"tanggal": "2026-09-01", "keterangan": ""}, "Keterangan: tulis keterangan"),
        ("/admin/kalender/libur/hapus", {"tanggal": "2026-09-01"}, "Tanggal: 2026-09-01 bukan hari libur"),
        ("/admin/kalender/jam", {"hari": "mon", "buka": "8 pagi", "tutup": "16:00"},
         "Jam mulai: jam ditulis JJ:MM (misalnya 08:00), bukan '8 pagi'"),
        ("/admin/kalender/jam", {"hari": "mon", "buka": "16:00", "tutup": "08:00"},
         "Jam selesai: jam selesai 08:00 harus sesudah jam mulai 16:00"),
        ("/admin/kalender/jam", {"buka": "08:00", "tutup": "12:00"}, "Hari: pilih paling sedikit satu hari"),
    ):
        response = post(client, url, body)
        assert response.status_code == 422, url
        assert expected in html.unescape(text_of(response)), (url, body)
    assert _calendar_rows(alur) == []
    with alur.sessions() as session:
        assert session.query(AuditEntry).filter_by(action="calendar").count() == 0


def test_hours_and_working_a_national_holiday(client, login, post, alur, text_of):
    login(client, _admin(alur))
    assert post(client, "/admin/kalender/jam", {"hari": ["fri"], "buka": "07:30", "tutup": "11:00"}).status_code == 302
    assert post(client, "/admin/kalender/libur/hapus", {"tanggal": "2026-08-17", "keterangan": "Upacara"}).status_code == 302
    text = text_of(client.get("/admin/kalender/?tahun=2026"))
    assert "Jumat 07:30–11:00" in text
    assert "Senin, 2026-08-17: Hari Kemerdekaan Republik Indonesia — Upacara" in text
    assert ("2026-08-17", False, "Upacara") in _calendar_rows(alur)


def test_only_an_admin_has_the_page(client, login):
    login(client, "kepala-dinas")
    assert client.get("/admin/kalender/").status_code == 403


def test_the_cli_shows_and_changes_the_calendar(alur, capsys, monkeypatch):
    from alur.runtime.cli import main

    monkeypatch.setenv("ALUR_DATABASE_URL", str(alur.settings.database_url))
    monkeypatch.setenv("ALUR_INSTANCE_DIR", str(alur.settings.instance_dir))
    assert main(["calendar", "add-day", ORG, "2026-09-01", "Hari Jadi Provinsi"]) == 0
    assert "2026-09-01 hari libur sulteng-diskukm" in capsys.readouterr().out
    assert main(["calendar", "show", ORG, "--year", "2026", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {"day": "2026-09-01", "weekday": "Selasa", "description": "Hari Jadi Provinsi",
            "kind": "organisasi"} in shown["days_off"]
    assert main(["calendar", "add-day", ORG, "2026-02-30", "x"]) == 1
    assert "bukan '2026-02-30'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["calendar", "hours", ORG, "sat", "--opens", "08:00"])
    assert usage.value.code == 2 and "give --opens and --closes, or --off" in capsys.readouterr().err
    assert main(["calendar", "hours", ORG, "sat", "--opens", "08:00", "--closes", "12:00"]) == 0
    assert "Sabtu   08:00-12:00" in (main(["calendar", "show", ORG]) == 0 and capsys.readouterr().out)
