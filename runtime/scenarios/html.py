"""Static HTML reports of scenario runs (`alur test --html DIR`), in Bahasa Indonesia.

`DIR/index.html` lists the SOPs; `DIR/<process-id>.html` shows one SOP's scenarios,
their results and its diagram with the flows the scenarios cover drawn green and
those only `alur simulate` covers drawn dashed blue. The pages need no server and no
JavaScript: the styles are inline, the diagram is SVG drawn from the BPMN DI.
"""
from __future__ import annotations

import re
from html import escape
from pathlib import Path

from ..diagram import render_svg
from .suite import ProcessReport

STYLE = """
body { font: 15px/1.5 system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #1f2937; margin: 1.5rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .4rem .6rem;
  border-bottom: 1px solid #d1d5db; vertical-align: top; } th { background: #eef1f5; font-size: .85rem; }
.ok { color: #15803d; font-weight: 600; } .failed { color: #b91c1c; font-weight: 600; }
code, .steps { font-size: .82rem; } .muted { color: #6b7280; }
.diagram { overflow-x: auto; border: 1px solid #d1d5db; padding: .5rem; }
.legend span { display: inline-block; margin-right: 1.2rem; }
.legend i { display: inline-block; width: 2rem; height: 0; vertical-align: middle; margin-right: .3rem; }
svg.bpmn { display: block; font-family: system-ui, sans-serif; }
svg.bpmn .participant rect, svg.bpmn .lane rect { fill: none; stroke: #4b5563; stroke-width: 1; }
svg.bpmn .participant line, svg.bpmn .lane line { stroke: #4b5563; }
svg.bpmn .participant-label, svg.bpmn .lane-label { font-size: 12px; font-weight: 600; fill: #111827; }
svg.bpmn text { font-size: 11px; fill: #111827; } svg.bpmn .small-label { fill: #374151; }
svg.bpmn .gateway-mark { font-size: 22px; font-weight: 700; }
svg.bpmn .node rect, svg.bpmn .node polygon, svg.bpmn .node circle { fill: #fff; stroke: #9ca3af; stroke-width: 1.5; }
svg.bpmn .node circle.end { stroke-width: 4; }
svg.bpmn .flow { fill: none; stroke: #9ca3af; stroke-width: 1.5; }
svg.bpmn .flow.taken { stroke: #15803d; stroke-width: 2.5; } svg.bpmn .arrowhead.taken { fill: #15803d; }
svg.bpmn .flow.simulated { stroke: #2563eb; stroke-width: 2; stroke-dasharray: 6 4; }
svg.bpmn .arrowhead.simulated { fill: #2563eb; } svg.bpmn .arrowhead.pending { fill: #9ca3af; }
"""


def _page(title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="id"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")


def page_name(report: ProcessReport) -> str:
    """The report page's file name: the process id, made safe for a file name."""
    name = report.process_id or Path(report.scenario_file).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) + ".html"


def _verdict(ok: bool) -> str:
    return '<span class="ok">lulus</span>' if ok else '<span class="failed">gagal</span>'


def coverage_html(report: ProcessReport) -> str:
    """The coverage figures and the diagram of one report (also shown on the version page)."""
    if report.coverage is None:
        return ""
    c = report.coverage.to_dict()
    parts = [
        "<table><thead><tr><th></th><th>skenario</th><th>simulasi (<code>alur simulate</code>)</th></tr></thead>"
        f"<tbody><tr><td>alur antarlangkah dilalui</td><td>{c['flows_by_scenarios']} dari {c['flows_total']}</td>"
        f"<td>{c['flows_by_simulation']} dari {c['flows_total']}</td></tr>"
        f"<tr><td>gerbang bercabang yang semua cabangnya dilalui</td><td>{c['gateways_by_scenarios']} dari "
        f"{c['gateways_total']}</td><td>{c['gateways_by_simulation']} dari {c['gateways_total']}</td></tr>"
        "</tbody></table>",
    ]
    if c["flows_not_by_scenarios"]:
        parts.append("<p>Alur yang belum dilalui skenario mana pun: "
                     + ", ".join(f"<code>{escape(f)}</code>" for f in c["flows_not_by_scenarios"]) + "</p>")
    if report.bpmn_text:
        parts.append('<p class="legend"><span><i style="border-top:3px solid #15803d"></i>dilalui skenario</span>'
                     '<span><i style="border-top:3px dashed #2563eb"></i>hanya dilalui simulasi</span>'
                     '<span><i style="border-top:2px solid #9ca3af"></i>tidak dilalui</span></p>')
        parts.append(f'<div class="diagram">{render_svg(report.bpmn_text, flow_classes=report.coverage.flow_classes())}'
                     "</div>")
    return "\n".join(parts)


def process_page(report: ProcessReport) -> str:
    """The HTML page of one SOP's scenario run."""
    title = f"Uji skenario {report.process_id or report.scenario_file}"
    body = [f'<p><a href="index.html">Semua SOP</a></p><h1>{escape(title)}</h1>',
            f'<p class="muted">Skenario: <code>{escape(report.scenario_file)}</code> · BPMN: '
            f"<code>{escape(report.bpmn_file)}</code></p>"]
    if report.problems:
        body.append('<h2>Berkas tidak dapat dijalankan</h2><ul>'
                    + "".join(f"<li><code>{escape(str(p))}</code></li>" for p in report.problems) + "</ul>")
    if report.results:
        passed = len(report.results) - len(report.failed)
        body.append(f"<h2>Skenario: {passed} lulus, {len(report.failed)} gagal</h2>")
        rows = []
        for r in report.results:
            detail = f'<br><code>{escape(r.message())}</code>' if not r.ok else ""
            rows.append(f"<tr><td>{escape(r.name)}</td><td>{escape(r.perihal or '')}</td><td>{_verdict(r.ok)}{detail}"
                        f"</td><td>{r.standard_minutes}</td><td class=\"steps\">{escape(' '.join(r.steps))}</td></tr>")
        body.append("<table><thead><tr><th>Skenario</th><th>Perihal</th><th>Hasil</th><th>Waktu baku (menit)</th>"
                    "<th>Langkah yang dikerjakan</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    if report.coverage is not None:
        body.append("<h2>Cakupan</h2>" + coverage_html(report))
    return _page(title, "\n".join(body))


def index_page(reports: list[ProcessReport]) -> str:
    """The HTML page listing every SOP of a run."""
    rows = []
    for report in reports:
        c = report.coverage.to_dict() if report.coverage is not None else None
        flows = f"{c['flows_by_scenarios']} dari {c['flows_total']}" if c else "-"
        passed = len(report.results) - len(report.failed)
        rows.append(f'<tr><td><a href="{escape(page_name(report))}">{escape(report.process_id or "?")}</a></td>'
                    f"<td>{_verdict(report.ok)}</td><td>{passed} dari {len(report.results)}</td><td>{flows}</td></tr>")
    failed = sum(1 for r in reports if not r.ok)
    body = (f"<h1>Uji skenario SOP</h1><p>{len(reports)} SOP, {failed} gagal.</p>"
            "<table><thead><tr><th>SOP</th><th>Hasil</th><th>Skenario lulus</th><th>Alur dilalui skenario</th></tr>"
            "</thead><tbody>" + "".join(rows) + "</tbody></table>")
    return _page("Uji skenario SOP", body)


def write_html(reports: list[ProcessReport], folder: Path) -> list[Path]:
    """Write the index and one page per SOP into `folder` (made if missing); returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for report in reports:
        path = folder / page_name(report)
        path.write_text(process_page(report), encoding="utf-8")
        written.append(path)
    index = folder / "index.html"
    index.write_text(index_page(reports), encoding="utf-8")
    return [index, *written]
