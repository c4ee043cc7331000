"""The two steps of bench/mutation.sh that cosmic-ray has no command for, done on its session file.

    python bench/mutation_sessions.py skip SESSION [DEFINITION...] leave out n -> n-1 and the mutants inside
                                                                   these functions
    python bench/mutation_sessions.py count SESSION NAME SURVIVORS  print "NAME: killed K of N mutants",
                                                                   append each survivor's diff to SURVIVORS

cosmic-ray's NumberReplacer makes two mutants of each number, n+1 (even occurrences) and n-1 (odd ones);
like mutmut, this run keeps n+1 only. A definition is a function, method or class name as cosmic-ray
records it (`definition_name`); `-` stands for module-level code. Left-out mutants are marked skipped, the way cosmic-ray's own filters
(cr-filter-operators) do, and are not counted in N. A mutant counts as killed when the test command
failed or ran out of time, as cosmic-ray counts it (`WorkResult.is_killed`).
"""
from __future__ import annotations

import sys

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import WorkerOutcome, WorkResult


def _left_out(mutation, definitions: set[str | None]) -> bool:
    if mutation.operator_name == "core/NumberReplacer" and mutation.occurrence % 2 == 1:
        return True  # n - 1
    return mutation.definition_name in definitions


def skip(session: str, definitions: list[str]) -> None:
    left_out = {None if name == "-" else name for name in definitions}
    with use_db(session, WorkDB.Mode.open) as db:
        jobs = [item.job_id for item in db.pending_work_items
                if any(_left_out(mutation, left_out) for mutation in item.mutations)]
        if jobs:
            db.set_multiple_results(jobs, WorkResult(output="left out by bench/mutation.sh",
                                                     worker_outcome=WorkerOutcome.SKIPPED))
    print(f"  left out {len(jobs)} mutants (n-1{', and in: ' + ' '.join(definitions) if definitions else ''})")


def count(session: str, name: str, survivors_file: str) -> None:
    with use_db(session, WorkDB.Mode.open) as db:
        tested = [(item, result) for item, result in db.completed_work_items
                  if result.worker_outcome != WorkerOutcome.SKIPPED]
        pending = len(list(db.pending_work_items))
        survived = [(item, result) for item, result in tested if not result.is_killed]
    with open(survivors_file, "a", encoding="utf-8") as out:
        for item, result in survived:
            for mutation in item.mutations:
                out.write(f"## {name} {mutation.module_path}:{mutation.start_pos[0]} {mutation.definition_name} "
                          f"{mutation.operator_name} #{mutation.occurrence}\n")
            out.write(f"{result.diff}\n")
    killed = len(tested) - len(survived)
    share = f" ({100 * killed / len(tested):.1f}%)" if tested else ""
    note = f", {pending} not run" if pending else ""
    print(f"{name}: killed {killed} of {len(tested)} mutants{share}{note}")


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "skip":
        skip(argv[1], argv[2:])
    elif len(argv) == 4 and argv[0] == "count":
        count(argv[1], argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
