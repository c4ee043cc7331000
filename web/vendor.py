"""Browser libraries served from their npm packages (package.json; `npm install` puts them in
node_modules/), from this server: no CDN, so the Content-Security-Policy stays `default-src 'self'`.

Only the files named in ASSETS are served, whatever the path asks. The folder is the project's
node_modules (beside web/), or the app's ALUR_NODE_MODULES setting. Without it (an install that
did not run npm), the asset is a 404 and the pages that use it still show their tables.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/aset")

# The name a page asks for -> the file inside node_modules.
ASSETS = {
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",  # Chart.js 4 (MIT): the report page's charts
}
NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"


@bp.route("/<name>")
def asset(name):
    path = ASSETS.get(name)
    folder = Path(current_app.config.get("ALUR_NODE_MODULES") or NODE_MODULES)
    if path is None or not (folder / path).is_file():
        abort(404)
    return send_from_directory(folder, path, mimetype="text/javascript", max_age=24 * 3600)
