"""Fuzzing the JSON API from its own OpenAPI description (web/openapi.py, generated from the routes of web/api.py, served at /api/openapi.json)
with schemathesis, on SQLite and on PostgreSQL, as a user with a personal API token.

- test_every_operation: each operation alone, with calls generated from the description: valid and
  invalid ones (wrong types, missing or extra fields, boundary values, odd strings and bodies, other
  methods), most of them on real instances and tasks so that they reach the engine, the forms and
  the attachment store, not only a 404;
- test_linked_calls: sequences that follow the description's OpenAPI links (list the processes,
  start one, read, claim, unclaim, complete and attach to its tasks, go on with the next task).

Every response must pass schemathesis's checks: no server error (not_a_server_error); status
code, content type, headers and body as described (status_code_conformance,
content_type_conformance, response_headers_conformance, response_schema_conformance); invalid
calls refused and valid ones not (negative_data_rejection, positive_data_acceptance); other methods
answered 405 with Allow; and the rest of its default set. CONFIG says what is adjusted, and why.

One app per backend serves the whole module (creating one deploys every SOP). The example counts
keep the module at about a minute per backend on the CI machine, and generation is derandomized,
so a run is reproducible. To fuzz longer by hand:

    ALUR_FUZZ_EXAMPLES=1000 ALUR_FUZZ_SCENARIOS=300 python -m pytest tests/web/test_api_fuzz.py

(ALUR_FUZZ_EXAMPLES: generated calls per operation, default 40, on top of schemathesis's fixed
coverage cases; ALUR_FUZZ_SCENARIOS: sequences of linked calls, default 30; ALUR_FUZZ_RANDOM=1
drops the fixed seed, to meet new inputs on every run.)
"""
from __future__ import annotations

import os
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, settings
from schemathesis.core.parameters import ParameterLocation
from sqlalchemy import delete, func, select, text

from alur.runtime import directory, forms, tokens, views
from alur.runtime.models import Attachment, AuditEntry, HumanTask, Instance
from alur.runtime.settings import Settings
from alur.web.app import create_app
from alur.web.openapi import spec
from tests import databases
from tests.conftest import FORMS, PROCESSES
from tests.web.conftest import ORG, SOP

EXAMPLES = int(os.environ.get("ALUR_FUZZ_EXAMPLES", "40"))
SCENARIOS = int(os.environ.get("ALUR_FUZZ_SCENARIOS", "30"))
FUZZ_SETTINGS = dict(derandomize=os.environ.get("ALUR_FUZZ_RANDOM") != "1", deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                            HealthCheck.data_too_large])
# KNOWN CRASHES: classes of input that still crash on main, each fixed on another branch of issue 13
# ("2. The other holes", "Input that crashes"). Until the lead merges that branch and removes its
# line here, the fuzzer leaves such calls out (the filter in test_every_operation and
# test_linked_calls) and does not send the red-team's values of that class. Without the line, the
# fuzzer finds the crash within the default examples. ALUR_FUZZ_KNOWN_CRASHES=1 sends them anyway.
# (JSON nested very deep is not generated: schemathesis sends shallow bodies; the corpus,
# tests/web/test_bad_input.py, sends it, and lone surrogates by name.)
KNOWN_CRASHES: dict[str, str] = {}
if os.environ.get("ALUR_FUZZ_KNOWN_CRASHES") == "1":
    KNOWN_CRASHES = {}

# What the red-team pass sent, mixed into the generated ids, paging parameters and revision (a
# body's free-form `data` is the bad-input corpus's job), by crash class.
HUGE = [12345678901234567890123, 2**31, 2**63, -(2**63) - 1]
NUL = ["\x00", "sulteng\x00", "00000000-0000-0000-0000-00000000000\x00"]
RED_TEAM = {
    "huge integer": ("huge", HUGE, ("path.instance_id", "query.offset", "query.limit", "body.revision")),
    "NUL": ("nul", NUL, ("path.task_id", "path.process_id", "query.process_id")),
}
SENT = {crash: entry for crash, entry in RED_TEAM.items() if crash not in KNOWN_CRASHES}
CONFIG = schemathesis.Config.from_dict({
    "checks": {
        # Its probes send wrong Basic credentials to every operation until the login throttle answers
        # 429, by design; tests/web/test_authorization_matrix.py checks every route without and with
        # wrong credentials instead.
        "ignored_auth": {"enabled": False},
        # A valid call may still be refused with 422 for what the description cannot state: the `data`
        # of a completion is checked against that task's own form, an upload against the allowed types.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]},
    },
    # The request guard (web/request_guard.py) refuses with 400 what the free-form parts of the bodies
    # cannot state in their schemas: in a completion's `data` integers beyond 64 bits, nesting deeper
    # than 32, NUL or lone surrogates; in an upload, NUL in the names of the other (ignored) fields.
    "operations": [{"include-operation-id": operation, "checks": {
        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422"]},
    }} for operation in ("complete", "upload")],
    "dictionaries": {name: {"values": values} for name, values, _ in SENT.values()},
    "parameters": {parameter: {"dictionary": name, "probability": 0.15}
                   for name, _, parameters in SENT.values() for parameter in parameters},
})
FUZZER = "penguji-api"

# The description as the app serves it to the test client (host localhost);
# test_served_description_is_the_fuzzed_one ties the two, test_linked_calls loads the served one.
SERVER = "http://localhost/api"
schema = schemathesis.openapi.from_dict(spec(SERVER), config=CONFIG)

INT_LIMIT = 2**31 - 1  # ids past PostgreSQL's INTEGER (SQLite's overflow at 2**63) count as huge


def _leaves(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(key)
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _huge_int(value) -> bool:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and value.isascii():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT_LIMIT


def crash_class(case) -> str | None:
    """The crash class of issue 13 (a key of RED_TEAM) that this generated call belongs to, or None."""
    if any(_huge_int(v) for v in _leaves([case.path_parameters, case.query])):  # a revision is compared only
        return "huge integer"
    body = case.body if isinstance(case.body, (dict, list, str)) else None
    for leaf in _leaves([case.path_parameters, case.query, dict(case.headers or {}), case.cookies, body]):
        if isinstance(leaf, str) and "\x00" in leaf:
            return "NUL"
    return None


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, tmp_path_factory):
    """One app per backend for the module, on a database of its own that outlives each test (the
    copies of tests/databases.py are dropped after every test); it deploys processes/ at start."""
    instance = tmp_path_factory.mktemp("fuzz") / "instance"
    postgres = databases.current().postgres if request.param == "postgres" else None
    if request.param == "postgres":
        if postgres is None:
            pytest.skip("ALUR_TEST_POSTGRES_URL is not set")
        name = postgres.create()
        url = postgres.url_of(name)
    else:
        instance.mkdir(parents=True)
        url = f"sqlite:///{instance / 'alur.sqlite3'}"
    settings = Settings.from_env({"ALUR_INSTANCE_DIR": str(instance), "ALUR_TIMEZONE": "Asia/Jakarta",
                                  "ALUR_PROCESSES_DIR": str(PROCESSES), "ALUR_FORMS_DIR": str(FORMS),
                                  "ALUR_DATABASE_URL": url})
    app = create_app({"TESTING": True, "ALUR_SETTINGS": settings, "SECRET_KEY": "uji"})
    yield app
    app.extensions["alur"].close()
    if postgres is not None:
        postgres.drop(name)


@pytest.fixture(scope="module")
def alur(app):
    return app.extensions["alur"]


@pytest.fixture(scope="module")
def token(alur) -> str:
    """A personal API token of a user of the SOPs' organisation who holds every role of its lanes, so
    that every operation can succeed; refusals by role are the authorization matrix's job."""
    roles = sorted({role for p in alur.processes(ORG) for role in directory.lane_roles(alur, ORG, p["process_id"]).values()})
    directory.add_user(alur, FUZZER, roles, display_name="Penguji API", org=ORG)
    value, _ = tokens.create_token(alur, FUZZER, "fuzz")
    return value


def _walk_to(alur, view, task_spec: str):
    """Complete `view`'s tasks with the forms' sample data until `task_spec` is ready; returns that task."""
    for _ in range(20):
        task = view.ready_tasks[0]
        if task.task_spec == task_spec:
            return task
        data = forms.sample_data(views.task_details(alur, task.id)["form"], "setuju")
        view = alur.complete(task.id, FUZZER, data)
    raise AssertionError(f"{task_spec} never became ready")


@pytest.fixture(scope="module")
def world(alur, token) -> dict[str, list]:
    """Real things for the fuzzer to meet, by path parameter: a fresh instance, one at a review step
    (its form has the choice and the note), one whose task the fuzzing user claimed, and a completed task."""
    fresh = alur.start(SOP, FUZZER)
    review = _walk_to(alur, alur.start(SOP, FUZZER), "Step_05")
    claimed = alur.start(SOP, FUZZER)
    alur.claim(claimed.ready_tasks[0].id, FUZZER)
    done = next(h.task_id for h in alur.history(review.instance_id) if h.action == "complete")
    return {
        "task_id": [fresh.ready_tasks[0].id, review.id, claimed.ready_tasks[0].id, done],
        "instance_id": [fresh.id, review.instance_id, claimed.id],
        "process_id": sorted(p["process_id"] for p in alur.processes(ORG)),
    }


def test_served_description_is_the_fuzzed_one(app):
    assert app.test_client().get("/api/openapi.json").get_json() == spec(SERVER)


@schema.parametrize()
@settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
def test_every_operation(case, app, token, world):
    assume(crash_class(case) not in KNOWN_CRASHES)
    # Most valid path parameters are swapped for real ids. The generated value picks which (by its
    # hash, so the choice is as reproducible as the value) or stays; invalid ones and the
    # dictionaries' values always stay.
    if case.path_parameters and not case.meta.is_negative_at(ParameterLocation.PATH):
        for name, value in case.path_parameters.items():
            if value in HUGE or value in NUL:
                continue
            choices = [value, *world[name]]
            case.path_parameters[name] = choices[zlib.crc32(repr(value).encode()) % len(choices)]
    # A schema loaded from a dict has no app: the probes of some checks take it from the schema.
    case.operation.schema.app = app
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"})


class Rewind:
    """Takes the database back to no instances at all (no tasks, no attachment records) and the audit
    log as it was when made, with the id sequences where they were, so that every sequence of linked
    calls starts from the same state. Hypothesis replays sequences and needs the same answers; even
    time must not matter (a task left from earlier calls would turn overdue)."""

    def __init__(self, alur):
        self.alur = alur
        audit = AuditEntry.__table__
        with alur.db.connect() as connection:
            self.audit_mark = connection.scalar(select(func.coalesce(func.max(audit.c.id), 0)))

    def __call__(self) -> None:
        audit = AuditEntry.__table__
        with self.alur.db.begin() as connection:
            for table in (Attachment.__table__, HumanTask.__table__, Instance.__table__):
                connection.execute(delete(table))
            connection.execute(delete(audit).where(audit.c.id > self.audit_mark))
            if connection.dialect.name == "postgresql":
                for table, last in ((Attachment.__table__, 0), (Instance.__table__, 0), (audit, self.audit_mark)):
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                            f"{last + 1}, false)"))


def test_linked_calls(app, alur, token):
    served = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=CONFIG)
    rewind = Rewind(alur)

    class LinkedCalls(served.as_state_machine()):
        def setup(self):
            rewind()

        def before_call(self, case):
            assume(crash_class(case) not in KNOWN_CRASHES)

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}"}}

    LinkedCalls.run(settings=settings(max_examples=SCENARIOS, stateful_step_count=10, **FUZZ_SETTINGS))
