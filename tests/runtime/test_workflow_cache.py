"""The engine keeps the workflow it wrote last per instance; it never serves one another writer has moved past."""
from __future__ import annotations

import pytest

from alur.runtime import state
from alur.runtime.engine import Alur, InvalidData
from tests.runtime.test_kalbar_pengumpulan_skp import DATA, KASUBBAG, PERFORMER, PROCESS, only_ready, step


@pytest.fixture
def parses(monkeypatch):
    """Counts how often a stored state is parsed."""
    calls = []
    real = state.load_state
    monkeypatch.setattr(state, "load_state", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_consecutive_completions_parse_the_state_once(sop, parses):
    view = sop.start(PROCESS, KASUBBAG)
    for name in ["Step_01", "Step_02", "Step_03", "Step_04"]:
        view = step(sop, view, name)
    assert len(parses) == 1


def test_another_engine_on_the_same_database_moves_the_instance_on(sop, parses):
    other = Alur(sop.settings, migrate=False)  # another worker process
    try:
        view = step(sop, sop.start(PROCESS, KASUBBAG), "Step_01")  # kept by `sop` at this revision
        view = step(other, view, "Step_02")
        view = step(sop, view, "Step_03")  # `sop`'s kept workflow is stale: parsed again, not reused
        assert only_ready(view).task_spec == "Step_04"
        assert [e.task_spec for e in sop.history(view.id) if e.action == "complete"] == \
            ["Step_01", "Step_02", "Step_03"]
        assert len(parses) == 3
    finally:
        other.close()


def test_a_refused_completion_leaves_no_half_run_workflow_behind(sop, parses):
    view = step(sop, sop.start(PROCESS, KASUBBAG), "Step_01")
    task = only_ready(view)
    with pytest.raises(InvalidData):
        sop.complete(task.id, PERFORMER["Step_02"], {"tujuan": 5})
    view = sop.complete(task.id, PERFORMER["Step_02"], DATA["Step_02"])
    assert only_ready(view).task_spec == "Step_03"
    assert len(parses) == 2  # the refused attempt's workflow was dropped, the next one parsed the stored state
