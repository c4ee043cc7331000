"""What the scenarios of a process cover, beside what `alur simulate` covers.

A sequence flow is covered when an instance went through it; a splitting gateway
(one with two or more outgoing flows) is covered when every one of its outgoing
flows is. Only passing scenarios count: a scenario that failed halfway proves
nothing about the flows it took.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..inmemory import InMemoryProcess
from ..simulate import SimulationReport
from .run import ScenarioResult


@dataclass
class Coverage:
    flows: list[str]  # every sequence flow of the process
    gateways: dict[str, list[str]]  # splitting gateway -> its outgoing flows
    by_scenarios: set[str] = field(default_factory=set)
    by_simulation: set[str] = field(default_factory=set)

    def gateways_covered(self, flows: set[str]) -> list[str]:
        """The splitting gateways every outgoing flow of which is in `flows`."""
        return [g for g, outgoing in self.gateways.items() if set(outgoing) <= flows]

    def flow_classes(self) -> dict[str, str]:
        """For the diagram: "taken" for flows the scenarios cover, "simulated" for those only simulate does."""
        return flow_classes(self.to_dict())

    def to_dict(self) -> dict:
        return {
            "flows_total": len(self.flows),
            "flows_by_scenarios": len(self.by_scenarios),
            "flows_by_simulation": len(self.by_simulation),
            "flows_not_by_scenarios": sorted(set(self.flows) - self.by_scenarios),
            "gateways_total": len(self.gateways),
            "gateways_by_scenarios": len(self.gateways_covered(self.by_scenarios)),
            "gateways_by_simulation": len(self.gateways_covered(self.by_simulation)),
            "gateways_not_by_scenarios": sorted(set(self.gateways) - set(self.gateways_covered(self.by_scenarios))),
            "flows_scenarios": sorted(self.by_scenarios),
            "flows_simulation": sorted(self.by_simulation),
        }

    def summary_line(self) -> str:
        d = self.to_dict()
        return (f"flows covered: {d['flows_by_scenarios']}/{d['flows_total']} by scenarios, "
                f"{d['flows_by_simulation']}/{d['flows_total']} by simulate; splitting gateways fully covered: "
                f"{d['gateways_by_scenarios']}/{d['gateways_total']} by scenarios, "
                f"{d['gateways_by_simulation']}/{d['gateways_total']} by simulate")


def flow_classes(coverage: dict) -> dict[str, str]:
    """The diagram's flow classes from a coverage as `Coverage.to_dict` writes it (also a stored one)."""
    classes = {f: "simulated" for f in coverage.get("flows_simulation", [])}
    classes.update({f: "taken" for f in coverage.get("flows_scenarios", [])})
    return classes


def coverage_of(process: InMemoryProcess, results: list[ScenarioResult],
                simulation: SimulationReport | None) -> Coverage:
    """The coverage of a process by its passing scenarios and by a simulation report."""
    flows = sorted(set(process.flows.values()))
    by_scenarios = set().union(*(r.flows for r in results if r.ok)) & set(flows)
    by_simulation = (set(flows) - set(simulation.uncovered_flows)) if simulation is not None and \
        not simulation.problems else set()
    return Coverage(flows, dict(process.splits), by_scenarios, by_simulation)
