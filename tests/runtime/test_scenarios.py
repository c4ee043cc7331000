"""Scenario files: what a designer writes is read with its lines, and runs as the SOP would.

Kalbar's SOP Pengumpulan SKP (seed 000): 1 Kasubbag 5 min, 2 Pemroses 15, 3 Kepala Bidang
1 hari (480), 4 Pemroses 5, 5 Kasubbag reviews 20 (back to 4), 6 Sekretaris reviews 20 (back
to 5), 7 Kepala Dinas reviews 20 (back to 6), 8 Kasubbag 5, 9 Pemroses 5: 575 minutes.
"""
from __future__ import annotations

import textwrap

import pytest

from alur.runtime.bpmn_check import check_file
from alur.runtime.inmemory import InMemoryProcess
from alur.runtime.scenarios.load import AdvanceStep, ScenarioFileError, TaskStep, load, parse, working_minutes
from alur.runtime.scenarios.run import run_file
from tests.conftest import FORMS, PROCESSES, PROJECT_ROOT

# The issue's example, exactly as written there.
ISSUE_EXAMPLE = """\
scenarios:
  - name: dikembalikan sekali oleh Kasubbag
    perihal: SKP triwulan IV
    steps:
      - task: Step_01
        data: {isi_disposisi: "Sebarkan ke seluruh bidang"}
      - task: Step_05
        data: {keputusan: kembalikan, catatan: "Rekap belum lengkap"}
        next: [Step_04]          # tasks ready right after this step
      - advance: 2 hari          # move the clock by working time
        late: [Step_04]          # tasks overdue now
    end: true                    # the instance has ended after the listed steps (others: filled from their forms)
    standard_minutes: 600        # sum of the standards of the steps taken
"""
HAPPY_STEPS = ["Step_01", "Step_02", "Step_03", "Step_04", "Step_05:setuju", "Step_06:setuju", "Step_07:setuju",
               "Step_08", "Step_09"]


@pytest.fixture(scope="module")
def kalbar():
    return InMemoryProcess(check_file(PROCESSES / "kalbar-pengumpulan-skp.bpmn", FORMS))


def run(process, text: str):
    return run_file(process, load(textwrap.dedent(text), "k.test.yaml", process))


def problems(process, text: str) -> list[str]:
    with pytest.raises(ScenarioFileError) as caught:
        load(textwrap.dedent(text), "k.test.yaml", process)
    return [str(p) for p in caught.value.problems]


# ------------------------------------------------------------------ the format


def test_the_issue_example_reads_as_written(kalbar):
    scenario = load(ISSUE_EXAMPLE, "k.test.yaml", kalbar).scenarios[0]
    assert (scenario.name, scenario.perihal, scenario.line, scenario.end, scenario.standard_minutes) == \
        ("dikembalikan sekali oleh Kasubbag", "SKP triwulan IV", 2, True, 600)
    first, review, advance = scenario.steps
    assert first == TaskStep(5, "Step_01", {"isi_disposisi": "Sebarkan ke seluruh bidang"})
    assert review == TaskStep(7, "Step_05", {"keputusan": "kembalikan", "catatan": "Rekap belum lengkap"},
                              next=frozenset({"Step_04"}))
    assert advance == AdvanceStep(10, "2 hari", 960, late=frozenset({"Step_04"}))
    assert (scenario.end_line, scenario.standard_minutes_line) == (12, 13)


def test_the_issue_example_passes_taking_the_return_loop_once(kalbar):
    [result] = run_file(kalbar, load(ISSUE_EXAMPLE, "k.test.yaml", kalbar))
    assert result.ok, result.message()
    assert result.steps == ["Step_01", "Step_02", "Step_03", "Step_04", "Step_05:kembalikan", "Step_04",
                            "Step_05:setuju", "Step_06:setuju", "Step_07:setuju", "Step_08", "Step_09"]
    assert result.standard_minutes == 600


@pytest.mark.parametrize("text, minutes", [
    ("2 hari", 960), ("3 jam", 180), ("90 menit", 90), ("1 jam 30 menit", 90), ("2 Hari Kerja + 1 Jam 5 Menit", 1025),
    ("1 minggu", 2400), ("2 hri", None), ("dua hari", None), ("2 hari lagi", None), ("", None),
])
def test_advance_reads_working_time_as_the_sop_writes_it(text, minutes):
    assert working_minutes(text) == minutes


def test_schema_errors_name_the_line_and_the_key(kalbar):
    assert problems(kalbar, """\
        scenarios:
          - name: a
            steps:
              - task: Step_05
                nxt: [Step_04]
              - tsk: Step_01
              - task: Step_02
                next: Step_03
          - name: b
            stepz: []
            end: ya
        """) == [
        "k.test.yaml:5: error: scenario 'a', step 1: unknown key 'nxt' (allowed: task, data, as, next, late)",
        "k.test.yaml:6: error: scenario 'a', step 2: missing 'task'",
        "k.test.yaml:6: error: scenario 'a', step 2: unknown key 'tsk' (allowed: task, data, as, next, late)",
        "k.test.yaml:8: error: scenario 'a', step 3, next: must be a list",
        "k.test.yaml:9: error: scenario 'b': missing 'steps'",
        "k.test.yaml:10: error: scenario 'b': unknown key 'stepz' (allowed: name, perihal, steps, end, "
        "standard_minutes)",
        "k.test.yaml:11: error: scenario 'b', end: must be true or false",
    ]


def test_yaml_that_is_not_a_scenario_file(kalbar):
    assert problems(kalbar, "scenarios: [\n") == [
        "k.test.yaml:2: error: not valid YAML: expected the node content, but found '<stream end>'"]
    assert problems(kalbar, "scenarios: []\n") == [
        "k.test.yaml:1: error: scenarios: must list at least 1"]
    assert problems(kalbar, "- task: Step_01\n") == ["k.test.yaml:1: error: the file: must be a mapping (key: value)"]
    assert problems(kalbar, "scenarios:\n  - name: a\n    name: b\n    steps: []\n") == [
        "k.test.yaml:3: error: key 'name' is given twice"]
    assert problems(kalbar, "scenarios:\n  - &s {name: a, steps: []}\n  - *s\n") == [
        "k.test.yaml:2: error: YAML anchors and aliases (&name, *name) are not supported; write the value out"]
    assert problems(kalbar, "scenarios:\n  - name: a\n    steps: []\n    1: x\n") == [
        "k.test.yaml:4: error: a key must be a plain word, such as 'task:'"]
    assert problems(kalbar, "scenarios: !!python/object:os.system {}\n") == [
        "k.test.yaml:1: error: unsupported YAML tag tag:yaml.org,2002:python/object:os.system"]


def test_a_file_cannot_make_the_reader_work_without_bound(kalbar):
    # Nested deeper than any scenario file needs, in PyYAML's recursion and in ours.
    assert problems(kalbar, "x: " + "[" * 5000 + "]" * 5000 + "\n") == [
        "k.test.yaml: error: nested more than 32 levels deep"]
    assert problems(kalbar, "x:\n" + "".join("  " * i + "- \n" for i in range(40))) == [
        "k.test.yaml:34: error: nested more than 32 levels deep"]
    many = "scenarios:\n" + "".join(f"  - {{name: s{i}, steps: []}}\n" for i in range(201))
    assert problems(kalbar, many) == ["k.test.yaml:2: error: scenarios: must list at most 200"]
    long = "scenarios:\n  - name: a\n    steps:\n" + "      - advance: 1 menit\n" * 501
    assert problems(kalbar, long) == ["k.test.yaml:4: error: scenario 'a', steps: must list at most 500"]


def test_what_does_not_fit_the_process_is_named_with_its_line(kalbar):
    tasks = "Step_01, Step_02, Step_03, Step_04, Step_05, Step_06, Step_07, Step_08, Step_09"
    assert problems(kalbar, """\
        scenarios:
          - name: a
            steps:
              - task: Step_99
              - task: Step_05
                as: kepala
                data:
                  keputusan: kembalikan
                next: [Step_04, Step_10]
              - advance: 2 hri
                late: [Step_00]
          - name: a
            steps: []
        """) == [
        f"k.test.yaml:4: error: scenario 'a', step 1: task: 'Step_99' is not a user task of kalbar-pengumpulan-skp "
        f"(its user tasks: {tasks})",
        "k.test.yaml:6: error: scenario 'a', step 2: as: 'kepala' is neither a lane of kalbar-pengumpulan-skp nor "
        "the role of one (lanes and their roles: Kasubbag Umum & Aparatur (kasubbag-umum-aparatur), Kepala Bidang "
        "(kepala-bidang), Kepala Dinas (kepala-dinas), Pemroses Administrasi Kepegawaian "
        "(pemroses-administrasi-kepegawaian), Sekretaris Dinas (sekretaris-dinas))",
        "k.test.yaml:7: error: scenario 'a', step 2: Step_05: data refused by its form pemeriksaan.schema.json: "
        "catatan: wajib diisi",
        f"k.test.yaml:9: error: scenario 'a', step 2: next: 'Step_10' is not a user task of kalbar-pengumpulan-skp "
        f"(its user tasks: {tasks})",
        "k.test.yaml:10: error: scenario 'a', step 3: advance '2 hri' is not a working time such as '2 hari', "
        "'3 jam' or '90 menit' (at most 250 hari)",
        f"k.test.yaml:11: error: scenario 'a', step 3: late: 'Step_00' is not a user task of kalbar-pengumpulan-skp "
        f"(its user tasks: {tasks})",
        "k.test.yaml:12: error: scenario 'a' is named twice (first on line 2); give each scenario its own name",
    ]


def test_data_is_checked_field_by_field_and_dates_stay_text(kalbar):
    assert problems(kalbar, """\
        scenarios:
          - name: a
            steps:
              - task: Step_01
                data:
                  isi_disposisi: 12
                  tanggal: 2026-01-05
        """) == [
        "k.test.yaml:6: error: scenario 'a', step 1: Step_01: data refused by its form disposisi.schema.json: "
        "isi_disposisi: harus berupa teks",
        "k.test.yaml:7: error: scenario 'a', step 1: Step_01: data refused by its form disposisi.schema.json: "
        "tanggal: isian tidak dikenal",
    ]
    scenario = parse("scenarios:\n  - name: a\n    steps:\n      - task: X\n        data: {d: 2026-01-05}\n",
                     "k.test.yaml").scenarios[0]
    assert scenario.steps[0].data == {"d": "2026-01-05"}


# ------------------------------------------------------------------ the walk


def test_a_scenario_without_steps_is_the_happy_path(kalbar):
    [result] = run(kalbar, """\
        scenarios:
          - name: jalur utama
            steps: []
            end: true
            standard_minutes: 575
        """)
    assert result.ok and result.steps == HAPPY_STEPS and result.standard_minutes == 575


def test_where_the_document_goes_back_is_checked(kalbar):
    [result] = run(kalbar, """\
        scenarios:
          - name: Sekretaris mengembalikan
            steps:
              - task: Step_06
                data: {keputusan: kembalikan, catatan: "Paraf belum ada"}
                next: [Step_04]
        """)
    assert result.message() == \
        "k.test.yaml:6: scenario 'Sekretaris mengembalikan': Step_06: next [Step_04] expected, got [Step_05]"
    assert result.steps == ["Step_01", "Step_02", "Step_03", "Step_04", "Step_05:setuju", "Step_06:kembalikan"]


def test_who_does_the_step_is_checked_by_lane_or_role(kalbar):
    passed, wrong = run(kalbar, """\
        scenarios:
          - name: lajur dan peran
            steps:
              - task: Step_05
                as: Kasubbag Umum & Aparatur
              - task: Step_06
                as: sekretaris-dinas
          - name: salah pelaksana
            steps:
              - task: Step_05
                as: sekretaris-dinas
        """)
    assert passed.ok, passed.message()
    assert wrong.message() == ("k.test.yaml:11: scenario 'salah pelaksana': Step_05: as 'sekretaris-dinas' expected, "
                               "but it is done by lane 'Kasubbag Umum & Aparatur' (role 'kasubbag-umum-aparatur')")
    assert wrong.steps == ["Step_01", "Step_02", "Step_03", "Step_04"]  # Step_05 itself was not done


def test_a_step_that_never_becomes_ready(kalbar):
    [result] = run(kalbar, """\
        scenarios:
          - name: sesudah selesai
            steps:
              - task: Step_09
              - task: Step_01
        """)
    assert result.failure == "Step_01: never became ready; the instance ended"
    assert result.failure_line == 5 and result.steps == HAPPY_STEPS


def test_late_is_exact_to_the_working_minute(kalbar):
    # Step_03 (1 hari) is ready on Monday 08:00 and due on Monday 16:00, the end of that working day.
    [result] = run(kalbar, """\
        scenarios:
          - name: tenggat Kepala Bidang
            steps:
              - task: Step_02
                next: [Step_03]
                late: []
              - advance: 479 menit
                late: []
              - advance: 1 menit
                ready: [Step_03]
                late: []
              - advance: 1 menit
                late: [Step_03]
              - task: Step_03
                next: [Step_04]
                late: []
            end: false
        """)
    assert result.ok, result.message()


def test_the_weekend_does_not_count(kalbar):
    # Four working days on, Step_03 becomes ready on Thursday 16:00 (the end of a working day): its day
    # of work is Friday, and at Friday 16:00 it is not late; one more minute is Monday 08:01.
    [result] = run(kalbar, """\
        scenarios:
          - name: akhir pekan
            steps:
              - advance: 4 hari
              - task: Step_02
              - advance: 1 hari
                late: []
              - advance: 1 menit
                late: [Step_03]
        """)
    assert result.ok, result.message()


def test_late_and_ready_failures_say_what_was_expected(kalbar):
    late, ready = run(kalbar, """\
        scenarios:
          - name: belum terlambat
            steps:
              - task: Step_02
              - advance: 1 hari
                late: [Step_03]
          - name: yang siap
            steps:
              - advance: 3 jam
                ready: [Step_02]
        """)
    assert late.message() == "k.test.yaml:6: scenario 'belum terlambat': advance 1 hari: late [Step_03] expected, got []"
    assert ready.message() == \
        "k.test.yaml:10: scenario 'yang siap': advance 3 jam: ready [Step_02] expected, got [Step_01]"


def test_end_and_standard_minutes_failures(kalbar):
    still_running, ended, minutes = run(kalbar, """\
        scenarios:
          - name: belum selesai
            steps:
              - task: Step_08
            end: true
            standard_minutes: 575
          - name: sudah selesai
            steps:
              - task: Step_09
            end: false
          - name: waktu baku
            steps: []
            end: true
            standard_minutes: 1025
        """)
    assert still_running.ok, still_running.message()  # the end walk completed Step_09
    assert still_running.steps[-1] == "Step_09"
    assert ended.message() == "k.test.yaml:10: scenario 'sudah selesai': end: false expected, but the instance ended"
    assert minutes.message() == \
        "k.test.yaml:14: scenario 'waktu baku': standard_minutes 1025 expected, got 575"


def test_standard_minutes_count_every_step_taken(kalbar):
    [result] = run(kalbar, """\
        scenarios:
          - name: sampai Step_08
            steps:
              - task: Step_08
            end: true
            standard_minutes: 565
        """)
    assert result.message() == "k.test.yaml:6: scenario 'sampai Step_08': standard_minutes 565 expected, got 575"


def test_an_instance_that_cannot_end(tmp_path):
    text = (PROCESSES / "kalbar-pengumpulan-skp.bpmn").read_text()
    # Approval sends the SKP back too: no path can reach the end.
    broken = text.replace('sourceRef="Step_07_Keputusan" targetRef="Step_08"',
                          'sourceRef="Step_07_Keputusan" targetRef="Step_06_Join"')
    assert broken != text
    (tmp_path / "loop.bpmn").write_text(broken)
    process = InMemoryProcess(check_file(tmp_path / "loop.bpmn", FORMS))
    [result] = run(process, """\
        scenarios:
          - name: tidak pernah selesai
            steps:
              - task: Step_07
            end: true
        """)
    assert result.failure == ("end: true expected, but the instance did not end; ready were [Step_06] "
                              "after 90 more steps")
    assert result.failure_line == 5


def test_parallel_tasks_are_taken_oldest_first_then_by_id():
    process = InMemoryProcess(check_file(PROJECT_ROOT / "tests/fixtures/parallel-periksa.bpmn", FORMS))
    both, listed, returned = run(process, """\
        scenarios:
          - name: keduanya dari formulir
            steps: []
            end: true
            standard_minutes: 25
          - name: periksa dulu
            steps:
              - task: Activity_Periksa
                next: [Activity_Catat]
            end: true
          - name: dikembalikan
            steps:
              - task: Activity_Periksa
                data: {keputusan: kembalikan, catatan: "Berkas tidak lengkap"}
                next: []
            end: true
        """)
    assert both.ok and both.steps == ["Activity_Catat", "Activity_Periksa:setuju"]
    assert listed.ok and listed.steps == ["Activity_Periksa:setuju", "Activity_Catat"]
    # The terminate end event withdraws the Staf's open task: the instance has ended.
    assert returned.ok and returned.steps == ["Activity_Periksa:kembalikan"]
