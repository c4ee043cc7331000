"""Process designer pages: deploy a new version from an uploaded BPMN file or from the browser
editor (bpmn-js, built from web/modeler/ into static/modeler/ by `npm install`), the versions of a
process, the difference between two versions, moving running instances between them, and the
official SOP document (PDF) of a version.

Open to users holding `perancang`, for the processes of their own organisation only.
An upload goes through the same runtime verb as `alur deploy` and the processes/ folder,
after its scenarios (an optional second file, see runtime/scenarios/deploy.py) pass or
the designer forces it. The editor posts its XML to the same upload path, asking for a JSON answer.
"""
from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, flash, g, jsonify, redirect, render_template, request,
                   send_file, url_for)

from alur.runtime import access, directory, forms, people
from alur.runtime.engine import DeployRefused, NotFound
from alur.runtime.sopdoc import service as sopdoc
from alur.runtime.scenarios.coverage import flow_classes
from alur.runtime.scenarios.deploy import ScenariosFailed, deploy_with_scenarios
from alur.runtime.scenarios.runs import ScenarioSource, last_runs, newest_run_with_diagram
from alur.runtime.problem_elements import problem_elements
from alur.runtime.versions import diff_versions, element_names, list_versions, migrate_instances, version_xml
from alur.runtime.whole_numbers import parse_whole

from .diagram import render_svg
from .i18n import shown
from .permissions import allowed_by
from .services import actor, engine

bp = Blueprint("designer", __name__, url_prefix="/sop")

MAX_BPMN_BYTES = 2 * 1024 * 1024  # the largest SOP of processes/ is ~110 KB
EXTENSIONS = (".bpmn", ".xml")
MAX_PROCESS_ID = 200  # longer than any id a modeler writes
MAX_SCENARIO_BYTES = 1024 * 1024  # the largest scenario file of processes/ is ~6 KB
SCENARIO_EXTENSIONS = (".yaml", ".yml")
# What SpiffWorkflow's spec diff names as changed, in the words of the page.
CHANGE_LABELS = {
    "inputs": "alur masuk", "outputs": "alur keluar", "lane": "lajur", "bpmn_name": "nama",
    "documentation": "dokumentasi", "extensions": "properti (formulir, mutu baku)",
    "cond_task_specs": "kondisi cabang", "default_task_spec": "alur bawaan", "script": "skrip",
}

designer_only = allowed_by(access.may_deploy, "perancang proses")
migrator_only = allowed_by(access.may_migrate, "perancang proses")


@bp.route("/pasang", methods=("GET", "POST"))
@designer_only
def upload():
    if request.method == "GET":
        return render_template("designer/upload.html", max_process_id=MAX_PROCESS_ID)
    as_json = _wants_json()
    file = request.files.get("berkas")
    filename = re.split(r"[\\/]", file.filename or "")[-1][:200] if file else ""
    content = file.read(MAX_BPMN_BYTES + 1) if file and filename else b""
    scenario_file = request.files.get("skenario")
    scenario_name = re.split(r"[\\/]", scenario_file.filename or "")[-1][:200] if scenario_file else ""
    scenario_bytes = scenario_file.read(MAX_SCENARIO_BYTES + 1) if scenario_file and scenario_name else b""
    error = _upload_error(filename, content)
    scenario_error = _scenario_error(scenario_name, scenario_bytes) if scenario_name else None
    process_id = request.form.get("proses", "").strip() or None
    process_error = _process_id_error(process_id) if process_id else None
    page = dict(max_process_id=MAX_PROCESS_ID, process_id=process_id if not process_error else None)
    if error or scenario_error or process_error:
        if as_json:
            return jsonify(error=f"Berkas: {error}" if error else f"Berkas skenario: {scenario_error}"
                           if scenario_error else f"Id proses: {process_error}"), 422
        return render_template("designer/upload.html", field_error=error, scenario_error=scenario_error,
                               process_error=process_error, **page), 422
    scenarios = ScenarioSource(scenario_bytes.decode("utf-8"), scenario_name) if scenario_name else None
    try:
        result, check = deploy_with_scenarios(engine(), content, filename, scenarios, user=actor(),
                                              org=g.user.org, force=request.form.get("paksa") == "1",
                                              process_id=process_id)
    except DeployRefused as exc:
        # The forms folder is named as the designer knows it, not by its path on the server; the
        # message in Indonesian (web/i18n.py).
        forms_dir = str(engine().settings.forms_dir)
        ordered = sorted(exc.problems, key=lambda p: (p.severity != "error", p.line or 0))
        problems = [replace(p, message=shown(p.message.replace(forms_dir, "forms/"))) for p in ordered]
        if as_json:
            # The element of each problem is found from the checker's own words (the ids it quotes).
            listed = [{"line": p.line, "message": p.message, "severity": p.severity, "element": element}
                      for p, element in zip(problems, problem_elements(content, ordered))]
            return jsonify(error=f"{filename} tidak dipasang. Tidak ada yang berubah; perbaiki masalah berikut.",
                           problems=listed), 422
        return render_template("designer/upload.html", filename=filename, problems=problems, **page), 422
    except ScenariosFailed as exc:
        if as_json:
            return jsonify(error=f"{filename} tidak dipasang: skenario uji gagal. Tidak ada yang berubah; perbaiki "
                                 "SOP atau skenarionya, atau centang Pasang walau skenario uji gagal.",
                           scenarios=exc.report.messages()), 422
        return render_template("designer/upload.html", filename=filename, scenario_report=exc.report, **page), 422
    if result.created:
        message = f"{filename} dipasang sebagai versi {result.version} dari {result.process_id}."
    else:
        message = (f"{filename} sama dengan versi terbaru dari {result.process_id}: tidak berubah, tetap versi "
                   f"{result.version}.")
    if check.report is not None:
        ran = len(check.report.results)
        passed = ran - len(check.report.failed)
        message += (f" Skenario uji ({check.source.name}): {passed} dari {ran} lulus."
                    + (" Dipasang walau skenario gagal; tercatat di log audit." if check.forced else ""))
    versions_url = url_for(".versions", process_id=result.process_id)
    if as_json:
        return jsonify(process_id=result.process_id, version=result.version, created=result.created,
                       message=message, versions_url=versions_url)
    flash(message)
    return redirect(versions_url)


def _wants_json() -> bool:
    """The browser editor asks for JSON (Accept: application/json); a form post gets the page."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _process_id_error(process_id: str) -> str | None:
    if len(process_id) > MAX_PROCESS_ID:
        return f"paling panjang {MAX_PROCESS_ID} karakter"
    if not re.fullmatch(r"[A-Za-z_][\w.-]*", process_id):
        return "id proses di berkas BPMN diawali huruf atau _, lalu huruf, angka, _, - atau ."
    return None


def _scenario_error(filename: str, content: bytes) -> str | None:
    if not filename.lower().endswith(SCENARIO_EXTENSIONS):
        return "hanya berkas skenario .yaml atau .yml yang diterima"
    if not content:
        return "berkas skenario kosong"
    if len(content) > MAX_SCENARIO_BYTES:
        return f"berkas skenario lebih besar dari {MAX_SCENARIO_BYTES // 1024} KiB"
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "berkas skenario harus disimpan dengan pengodean UTF-8"
    return None


def _upload_error(filename: str, content: bytes) -> str | None:
    if not filename:
        return "pilih berkas BPMN (.bpmn atau .xml) untuk diunggah"
    if not filename.lower().endswith(EXTENSIONS):
        return "hanya berkas .bpmn atau .xml yang diterima"
    if not content:
        return "berkas kosong"
    if len(content) > MAX_BPMN_BYTES:
        return f"berkas lebih besar dari {MAX_BPMN_BYTES // (1024 * 1024)} MiB"
    return None  # its encoding, like everything else in it, is checked by the deploy (with the line)


@bp.route("/<process_id>/versi")
@designer_only
def versions(process_id):
    return _versions_page(process_id)


def _versions_page(process_id: str, errors: dict | None = None, form: dict | None = None, status: int = 200):
    rows = list_versions(engine(), g.user.org, process_id, actor())
    for row in rows:
        row["deployed_at"] = datetime.fromisoformat(row["deployed_at"])
    process = next(p for p in engine().processes(g.user.org) if p["process_id"] == process_id)
    # The version to migrate from, preselected: the oldest one with running instances.
    default_from = next((r["version"] for r in rows[:-1] if r["running_instances"]), max(1, len(rows) - 1))
    names = people.people(engine(), g.user.org)
    runs = last_runs(engine(), g.user.org, process_id, actor())
    tested = newest_run_with_diagram(engine(), g.user.org, process_id, actor())
    coverage = (tested["report"].get("coverage") or {}) if tested else {}
    diagram = render_svg(tested["bpmn_xml"], flow_classes=flow_classes(coverage)) if coverage else None
    return render_template("designer/versions.html", process=process, versions=rows, default_from=default_from,
                           names=names, errors=errors or {}, form=form or {}, runs=runs, tested=tested,
                           coverage=coverage, diagram=diagram), status


@bp.route("/<process_id>/sunting")
@designer_only
def editor(process_id):
    """The bpmn.io modeler over the newest version; saving deploys the edited file as the next version."""
    newest = list_versions(engine(), g.user.org, process_id, actor())[-1]
    built = (Path(current_app.static_folder or "") / "modeler" / "modeler.js").is_file()
    name = next(p["name"] for p in engine().processes(g.user.org) if p["process_id"] == process_id)
    return render_template("designer/editor.html", process_id=process_id, process_name=name,
                           version=newest["version"], built=built,
                           forms=forms.form_names(engine().settings.forms_dir),
                           lane_roles=directory.lane_roles(engine(), g.user.org, process_id))


@bp.route("/<process_id>/versi/<int:version>.bpmn")
@designer_only
def version_file(process_id, version):
    """The BPMN file of a version as it was deployed (the editor opens it; a designer may download it)."""
    xml = version_xml(engine(), g.user.org, process_id, version, actor())  # NotFound: a 404
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'inline; filename="{process_id}-versi-{version}.bpmn"'})


@bp.route("/<process_id>/versi/beda")
@designer_only
def diff(process_id):
    numbers = [v["version"] for v in list_versions(engine(), g.user.org, process_id, actor())]
    labels = {"dari": "Dari versi", "ke": "Ke versi"}
    chosen = {}
    for field in ("dari", "ke"):
        chosen[field] = _version_number(request.args.get(field), numbers)
        if chosen[field] is None:
            abort(400, description=f"{labels[field]}: pilih salah satu versi yang ada ({_listed(numbers)}).")
    result = diff_versions(engine(), g.user.org, process_id, chosen["dari"], chosen["ke"], actor())
    return render_template(
        "designer/diff.html", process_id=process_id, diff=result, change_labels=CHANGE_LABELS,
        old_names=element_names(engine(), g.user.org, process_id, result.from_version, actor()),
        new_names=element_names(engine(), g.user.org, process_id, result.to_version, actor()),
    )


@bp.route("/<process_id>/versi/pindahkan", methods=("POST",))
@migrator_only
def migrate(process_id):
    numbers = [v["version"] for v in list_versions(engine(), g.user.org, process_id, actor())]
    form = {k: request.form.get(k, "").strip() for k in ("dari", "ke", "proses")}
    errors = {}
    source, target = _version_number(form["dari"], numbers), _version_number(form["ke"], numbers)
    if source is None:
        errors["dari"] = f"pilih versi asal yang ada ({_listed(numbers)})"
    if target is None:
        errors["ke"] = f"pilih versi tujuan yang ada ({_listed(numbers)})"
    elif target == source:
        errors["ke"] = "versi tujuan harus berbeda dari versi asal"
    instance_ids = None
    if form["proses"]:
        numbers = [parse_whole(p, 1) for p in re.split(r"[\s,;#]+", form["proses"]) if p]
        if None not in numbers:
            instance_ids = sorted(set(numbers))
        else:
            errors["proses"] = "tulis nomor proses dipisah koma, misalnya 12, 15 (atau kosongkan untuk semua)"
    if errors:
        return _versions_page(process_id, errors, form, 422)
    result = migrate_instances(engine(), g.user.org, process_id, source, target, actor(), instance_ids)
    result.refused = {instance_id: shown(reason) for instance_id, reason in result.refused.items()}
    return render_template("designer/migrated.html", process_id=process_id, source=source, target=target,
                           result=result)


@bp.route("/<process_id>/versi/<int:version>/cetak")
@designer_only
def print_version(process_id, version):
    """The SOP document of a version as a PDF (Permenpan RB 35/2012 layout)."""
    try:
        deployed = sopdoc.deployed_version(engine(), process_id, version, g.user.org, actor())
    except NotFound:
        abort(404)
    printed = sopdoc.printed(deployed)
    return send_file(io.BytesIO(printed.pdf), mimetype="application/pdf", as_attachment=False,
                     download_name=f"SOP-{deployed.process_id}-versi-{deployed.version}.pdf")


def _version_number(text: str | None, numbers: list[int]) -> int | None:
    number = parse_whole((text or "").strip(), 1)
    return number if number in numbers else None


def _listed(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))
