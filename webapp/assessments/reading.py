"""An organisation reads, prints and downloads its returns, this cycle's and past ones."""

from __future__ import annotations

from flask import abort, g, render_template, send_from_directory
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from surveys import past_returns, shared_returns
from surveys.audit import record_audit
from surveys.models import Cycle, EvidenceFile, Response, utcnow
from webapp.assessments.blueprint import (
    assigned_cycle,
    bp,
    evidence_folder,
    members,
    own_response,
    return_journey,
)
from webapp.database import get_session
from webapp.reports import render


def _read_context(cycle: Cycle, response: Response) -> dict[str, object]:
    session = get_session()
    return {
        "cycle": cycle,
        "response": response,
        "organisation": g.member.organisation,
        "sections": past_returns.read_sections(return_journey(response, whole=True)),
        "shared_with": [p.name for p in shared_returns.partnerships_of(session, response)]
        if cycle.shared_round
        else [],
    }


@bp.get("/<int:cycle_id>/return")
@members
def your_return(cycle_id: int) -> ResponseReturnValue:
    """Read the return: every standard, rating, answer and evidence file; prints as it reads."""
    cycle = assigned_cycle(cycle_id)
    response = own_response(cycle) or abort(404)
    return render_template("assessments/return.html", **_read_context(cycle, response))


@bp.get("/<int:cycle_id>/return.pdf")
@members
def your_return_pdf(cycle_id: int) -> ResponseReturnValue:
    """Download the return as a PDF (the same answers as the page, laid out for paper)."""
    cycle = assigned_cycle(cycle_id)
    response = own_response(cycle) or abort(404)
    html = render_template(
        "assessments/return_print.html",
        produced_on=f"{utcnow():%-d %B %Y}",
        **_read_context(cycle, response),
    )
    headers = {
        "Content-Type": render.MIME["pdf"],
        "Content-Disposition": f"attachment; filename=return-{response.reference}.pdf",
    }
    return render.pdf(html), 200, headers


@bp.get("/<int:cycle_id>/evidence/<int:file_id>")
@members
def evidence(cycle_id: int, file_id: int) -> ResponseReturnValue:
    """Download one of the organisation's own evidence files (each download is audited)."""
    cycle = assigned_cycle(cycle_id)
    response = own_response(cycle) or abort(404)
    file = get_session().scalar(
        select(EvidenceFile).where(
            EvidenceFile.id == file_id, EvidenceFile.response_id == response.id
        )
    ) or abort(404)
    record_audit(
        get_session(),
        user_id=g.user.id,
        action="evidence.opened",
        object_type="evidence_file",
        object_id=file.id,
    )
    get_session().commit()
    return send_from_directory(
        evidence_folder(),
        file.stored_name,
        as_attachment=True,
        download_name=file.filename,
        mimetype=file.content_type,
    )
