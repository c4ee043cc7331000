"""The BPMN diagram of an instance on a page: runtime/diagram.py's SVG, as safe markup."""
from __future__ import annotations

from markupsafe import Markup

from alur.runtime import diagram


def render_svg(bpmn_xml: str, states: dict[str, str] | None = None,
               taken: list[tuple[str, str]] | None = None, flow_classes: dict[str, str] | None = None) -> Markup:
    """The diagram of `bpmn_xml` (see alur.runtime.diagram.render_svg), to put inline in a template."""
    return Markup(diagram.render_svg(bpmn_xml, states, taken, flow_classes))
