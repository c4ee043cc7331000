"""`next` after login and after claiming or releasing a task: only paths of this site, read the way a
browser reads a Location (tab, LF and CR removed, "\\" taken as "/"); a good `next` still works."""
from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest

from alur.web.redirects import is_same_site_path
from tests.web.conftest import PASSWORD

SITE = "https://alur.example.go.id/masuk"

HOSTILE = [
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",  # the reported /%09/evil.example/
    "\t//evil.example/",
    "/\n/evil.example/",
    "/\r/evil.example/",
    "/\r\n/evil.example/",
    "/\x0b/evil.example/",
    "/\x7f/evil.example/",
    "/\x85/evil.example/",  # NEL, a C1 control
    "/\u2028/evil.example/",  # line separator
    "/\u00a0/evil.example/",  # no-break space
    "/\u200b/evil.example/",  # zero-width space
    " //evil.example/",
    "//evil.example/ ",
    "https://evil.example/",
    "https:evil.example",
    "http:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "proses/",
    "\uff0f\uff0fevil.example",  # fullwidth solidus
    "/" + "a" * 3000,
    "",
]
GOOD = [
    ("/sop/", "/sop/"),
    ("/proses/1", "/proses/1"),
    ("/?sop=sulteng-pengumpulan-data-kinerja&terlambat=1", "/?sop=sulteng-pengumpulan-data-kinerja&terlambat=1"),
    ("/%2F%2Fevil.example/", "/%2F%2Fevil.example/"),  # an encoded slash is part of a path of this site
    ("/%09/evil.example/", "/%09/evil.example/"),  # so is an encoded tab: browsers keep it encoded
    ("/proses/?q=Tugas Ü", "/proses/?q=Tugas%20%C3%9C"),
]


def browser_target(location: str) -> str:
    """The host a browser goes to for this Location, on SITE: it drops tab, LF and CR and reads
    "\\" as "/" before resolving the reference."""
    cleaned = location.strip("\x00\x20").translate({9: None, 10: None, 13: None}).replace("\\", "/")
    return urlsplit(urljoin(SITE, cleaned)).netloc


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_not_same_site_paths(target):
    assert not is_same_site_path(target)


@pytest.mark.parametrize("target, location", GOOD)
def test_good_targets_are(target, location):
    assert is_same_site_path(target)


def _login_to(client, csrf_of, target: str):
    return client.post("/masuk?next=" + quote(target, safe=""), data={
        "username": "sekretaris", "password": PASSWORD, "csrf_token": csrf_of(client)})


def test_login_never_sends_the_browser_off_site(client, csrf_of):
    for target in HOSTILE:
        response = _login_to(client, csrf_of, target)
        assert (response.status_code, response.headers["Location"]) == (302, "/"), repr(target)
        assert browser_target(response.headers["Location"]) == "alur.example.go.id"


def test_login_goes_back_to_a_path_of_this_site(client, csrf_of):
    for target, location in GOOD:
        response = _login_to(client, csrf_of, target)
        assert (response.status_code, response.headers["Location"]) == (302, location), repr(target)
        assert browser_target(location) == "alur.example.go.id"


def test_the_login_form_keeps_the_next_it_was_opened_with(client, csrf_of):
    page = client.get("/masuk?next=" + quote("/proses/1", safe=""))
    assert '<form method="post">' in page.get_data(as_text=True)  # posts back to the same URL, next included


def test_claim_and_unclaim_go_only_to_a_path_of_this_site(client, login, post, alur, started):
    task = started.ready_tasks[0]
    login(client, "kepala-dinas")
    cases = [(target, "/") for target in HOSTILE] + GOOD
    for target, location in cases:
        claimed = post(client, f"/tugas/{task.id}/ambil", {"next": target})
        assert (claimed.status_code, claimed.headers["Location"]) == (302, location), repr(target)
        assert alur.task(task.id).claimed_by == "kepala-dinas"
        released = post(client, f"/tugas/{task.id}/lepas", {"next": target})
        assert (released.status_code, released.headers["Location"]) == (302, location), repr(target)
        assert alur.task(task.id).claimed_by is None
