"""Moments as people in the organisation read them: in its time zone, months in Indonesian.

The web app's `waktu` and `waktu_pendek` filters and the worker's mails use these, so a due
time reads the same on the task page and in the mail.
"""
from __future__ import annotations

from datetime import datetime, tzinfo

BULAN = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def waktu(value: datetime | None, zone: tzinfo) -> str:
    """ "4 Des 2026 09:30 WIB": the moment in `zone`; "-" for none."""
    if value is None:
        return "-"
    local = value.astimezone(zone)
    return f"{local.day} {BULAN[local.month - 1]} {local.year} {local:%H:%M} {local:%Z}"


def waktu_pendek(value: datetime | None, zone: tzinfo) -> str:
    """ "4 Des 09:30": the moment in `zone` without year and zone; "-" for none."""
    if value is None:
        return "-"
    local = value.astimezone(zone)
    return f"{local.day} {BULAN[local.month - 1]} {local:%H:%M}"
