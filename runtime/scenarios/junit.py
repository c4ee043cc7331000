"""JUnit XML of scenario runs, in the shape CI tools read (the one pytest's --junitxml writes).

One <testsuite> per scenario file, one <testcase> per scenario; a scenario that fails
carries a <failure>, a file that could not run (its BPMN or its scenarios refused) one
<testcase> with an <error>. Written with the standard library: the format is a handful
of elements and attributes.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .suite import ProcessReport


def junit_xml(reports: list[ProcessReport]) -> str:
    """The JUnit XML document of `reports`."""
    root = ET.Element("testsuites", name="alur test")
    totals = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    for report in reports:
        name = report.process_id or report.scenario_file
        seconds = sum(r.seconds for r in report.results)
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(max(len(report.results), 1 if report.problems
                              else 0)), failures=str(len(report.failed)), errors=str(1 if report.problems else 0),
                              skipped="0", time=f"{seconds:.3f}", file=report.scenario_file)
        if report.problems:
            case = ET.SubElement(suite, "testcase", classname=name, name="(scenario file)",
                                 file=report.scenario_file, time="0.000")
            text = "\n".join(str(p) for p in report.problems)
            ET.SubElement(case, "error", message=text.splitlines()[0], type="ScenarioFileError").text = text
        for result in report.results:
            case = ET.SubElement(suite, "testcase", classname=name, name=result.name, file=result.file,
                                 line=str(result.line), time=f"{result.seconds:.3f}")
            if not result.ok:
                failure = ET.SubElement(case, "failure", message=result.message(), type="ScenarioFailed")
                failure.text = result.message() + "\nsteps taken: " + (" ".join(result.steps) or "-")
        totals["tests"] += int(suite.get("tests"))
        totals["failures"] += len(report.failed)
        totals["errors"] += 1 if report.problems else 0
        totals["time"] += seconds
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    root.set("time", f"{totals['time']:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(reports: list[ProcessReport], path: Path) -> None:
    """Write the JUnit XML of `reports` to `path`."""
    Path(path).write_text(junit_xml(reports), encoding="utf-8")
