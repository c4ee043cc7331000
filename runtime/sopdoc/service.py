"""The SOP document verbs the CLI and the web app call: read a deployed version as the SOP
document, print it (PDF/HTML), export it as Word, import a Word SOP table as BPMN."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select

from .. import access
from ..access import SYSTEM, Actor
from ..errors import NotFound
from ..models import ProcessVersion
from .model import SopDocument, read_document


@dataclass(frozen=True)
class DeployedSop:
    process_id: str
    version: int
    org: str
    content_hash: str
    bpmn_xml: str


def deployed_version(alur, process_id: str, version: int | None = None, org: str | None = None,
                     actor: Actor = SYSTEM) -> DeployedSop:
    """A deployed version of a process (the newest when `version` is None), of `org` if given;
    NotFound when there is none (another organisation's process is not found either). For who may
    see the process's versions (access.check_migrate; a user's organisation is the default `org`)."""
    if not actor.is_system:
        org = org or actor.org  # a user reads their own organisation's processes
    access.check_migrate(actor, org, process_id)
    with alur.sessions() as session:
        query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        if org is not None:
            query = query.where(ProcessVersion.org == org)
        if version is not None:
            query = query.where(ProcessVersion.version == version)
        row = session.scalars(query.order_by(ProcessVersion.version.desc()).limit(1)).first()
        if row is None:
            if version is None:
                raise NotFound(f"proses '{process_id}' tidak ditemukan")
            raise NotFound(f"proses '{process_id}' tidak memiliki versi {version}")
        return DeployedSop(row.process_id, row.version, row.org, row.content_hash, row.bpmn_xml)


def document_of(deployed: DeployedSop) -> SopDocument:
    """The SOP document of a deployed version."""
    return read_document(deployed.bpmn_xml, deployed.process_id)


@lru_cache(maxsize=32)
def _printed(content_hash: str, process_id: str, bpmn_xml: str):
    from .pdf import print_pdf

    return print_pdf(read_document(bpmn_xml, process_id))


def printed(deployed: DeployedSop):
    """The printed document (pdf.PrintedSop) of a deployed version. A version's content never
    changes, so the print is kept per content hash (laying it out takes seconds)."""
    return _printed(deployed.content_hash, deployed.process_id, deployed.bpmn_xml)
