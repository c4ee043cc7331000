"""Which element a deploy problem is about: the editor marks it on the diagram."""
from __future__ import annotations

from alur.runtime.bpmn_check import Problem, check_bytes
from alur.runtime.problem_elements import problem_elements
from tests.conftest import FORMS, PROCESSES

SOP = (PROCESSES / "sulteng-pengumpulan-data-kinerja.bpmn").read_bytes()
FILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="D" targetNamespace="t">
  <bpmn:process id="P" isExecutable="true">
    <bpmn:userTask id="Review" name="Memeriksa"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Review" targetRef="Review">
      <bpmn:conditionExpression>x ==</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram"><bpmndi:BPMNPlane id="Plane" bpmnElement="P">
    <bpmndi:BPMNShape id="Review_di" bpmnElement="Review"/>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def problems(*lines_and_messages):
    return [Problem("f.bpmn", line, message) for line, message in lines_and_messages]


def test_a_problem_is_about_the_element_on_its_line_or_around_it():
    found = problem_elements(FILE, problems(
        (5, "user task 'Review' is outside every lane"),
        (7, "condition 'x ==': invalid syntax"),  # inside the flow: the flow
        (11, "a shape"),  # a diagram shape: the element it draws
    ))
    assert found == ["Review", "Flow_1", "Review"]


def test_without_a_line_the_quoted_id_names_it_and_the_file_itself_is_no_element():
    found = problem_elements(FILE, problems(
        (None, "gateway 'Review' splits"), (None, "id 'Nowhere' is unknown"), (4, "the process"), (1, "the file")))
    assert found == ["Review", None, None, None]


def test_a_file_that_is_no_xml_has_no_elements():
    assert problem_elements(b"<bpmn:definitions", problems((1, "not well-formed"))) == [None]


def test_the_checkers_own_problems_find_their_elements():
    broken = SOP.replace(b"<bpmn:flowNodeRef>Step_05</bpmn:flowNodeRef>", b"")
    checked = check_bytes(broken, "f.bpmn", FORMS)
    errors = [p for p in checked.problems if p.severity == "error"]
    assert [e for e in problem_elements(broken, errors)] == ["Step_05"]
