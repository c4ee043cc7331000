"""The throttling rules' arithmetic: the backoff per pair, the client keys, the wait as people read it."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from alur.runtime import login_throttle
from alur.runtime.models import LoginFailure


@pytest.mark.parametrize("failures, seconds", [
    (0, 0), (4, 0), (5, 30), (6, 60), (7, 120), (8, 240), (9, 480), (10, 900), (11, 900), (10_000, 900),
])
def test_the_pair_delay_doubles_after_five_free_failures_up_to_15_minutes(failures, seconds):
    assert login_throttle.pair_delay(failures) == timedelta(seconds=seconds)


@pytest.mark.parametrize("address, key", [
    ("198.51.100.7", "198.51.100.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),  # the same /64: one client
    ("::ffff:198.51.100.7", "198.51.100.7"),  # an IPv4 address in IPv6 form is that address
    (None, "-"),
    ("", "-"),
    ("bukan-alamat", "bukan-alamat"),
])
def test_client_keys(address, key):
    assert login_throttle.client_of_address(address) == key


@pytest.mark.parametrize("seconds, text", [(1, "1 detik"), (59, "59 detik"), (60, "1 menit"), (61, "2 menit"),
                                           (400, "7 menit"), (900, "15 menit")])
def test_waits_for_people_to_read(seconds, text):
    assert login_throttle.describe_wait(seconds) == text


def test_failures_older_than_a_day_are_forgotten_and_deleted(alur):
    start = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
    for minute in range(6):
        login_throttle.record_failure(alur, "budi", "203.0.113.9", start + timedelta(minutes=minute))
    assert not login_throttle.check(alur, "budi", "203.0.113.9", start + timedelta(minutes=5)).allowed
    later = start + timedelta(hours=24, minutes=6)
    verdict = login_throttle.check(alur, "budi", "203.0.113.9", later)
    assert verdict.allowed and verdict.pair_failures == 0
    login_throttle.record_failure(alur, "budi", "198.51.100.7", later)  # deletes the old rows on the way
    assert login_throttle.check(alur, "budi", "198.51.100.7", later).pair_failures == 1
    with alur.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 1


def test_user_names_are_counted_without_case_or_spaces(alur):
    now = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
    for name in ("Budi", "budi ", " BUDI", "budi", "bUdI"):
        login_throttle.record_failure(alur, name, "203.0.113.9", now)
    assert login_throttle.check(alur, "budi", "203.0.113.9", now).wait_seconds == 30
