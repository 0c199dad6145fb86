"""Partnership admin: publish cycles, see who has returned, links and QR codes, reopen."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time

import segno
from flask import abort, flash, g, redirect, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from surveys import (
    carry_forward,
    cycles,
    escalation,
    organisations,
    past_returns,
    responses,
    shared_cycles,
    shared_returns,
)
from surveys.audit import record_audit
from surveys.definition import Audience
from surveys.errors import SubmissionError
from surveys.journey import Journey
from surveys.models import (
    Cycle,
    CycleAudience,
    DisclosureFlag,
    EvidenceFile,
    OrganisationKind,
    PublicLink,
    Response,
    utcnow,
)
from surveys.own_cycles import ASKED_FROM_THEIR_PAGES
from surveys.scrutiny import returns as scrutiny_returns
from surveys.scrutiny.reviewers import has_standards
from surveys.streams import KEPT_WITH_REVIEWS
from surveys.training import chain
from webapp.cycles.blueprint import (
    admin_only,
    bp,
    cycle_or_404,
    is_training_cycle,
    readers,
    sees_training_only,
    training_readers,
)
from webapp.cycles.forms import CycleForm, LinkForm, LocalQuestionForm
from webapp.database import get_session
from webapp.form_names import form_name
from webapp.form_pages import data_folder, definition_of, definitions
from webapp.notifications import send_reminder, tell_published, tell_reopened


@bp.get("")
@training_readers
def index() -> ResponseReturnValue:
    listed = cycles.list_cycles(get_session())
    training_only = sees_training_only()
    if training_only:
        listed = [cycle for cycle in listed if is_training_cycle(cycle)]
    return render_template(
        "cycles/index.html",
        training_only=training_only,
        cycles=listed,
        definitions=definitions(),
        offers=shared_cycles.offers(get_session()),
    )


def _prepare(form: CycleForm) -> None:
    form.definition.choices = [
        (d.key, f"{form_name(d)} (version {d.version})")
        for d in sorted(definitions().latest_definitions(), key=form_name)
        if d.stream.value not in KEPT_WITH_REVIEWS  # asked by a case review, on its page
        and d.key not in ASKED_FROM_THEIR_PAGES
    ]
    form.organisations.choices = organisation_choices()
    form.share_with.choices = [
        (p.id, p.name) for p in shared_cycles.other_partnerships(get_session())
    ]


def organisation_choices() -> list[tuple[int, str]]:
    return [
        (o.id, f"{o.name} ({o.kind.label})")
        for o in organisations.list_organisations(get_session(), include_inactive=False)
    ]


@bp.route("/new", methods=["GET", "POST"])
@admin_only
def new() -> ResponseReturnValue:
    form = CycleForm()
    _prepare(form)
    if form.validate_on_submit():
        definition = definitions().latest(form.definition.data or "")
        new_cycle = cycles.NewCycle(
            title=form.title.data or "",
            opens_at=datetime.combine(form.opens_on.data, time(), tzinfo=UTC),
            closes_at=datetime.combine(form.closes_on.data, time(), tzinfo=UTC),
            organisation_ids=tuple(form.organisations.data or ()),
        )
        share_with = tuple(form.share_with.data or ())
        try:
            if share_with:
                cycle = shared_cycles.publish_shared(
                    get_session(), definition, new_cycle, share_with, created_by=g.user.id
                )
            else:
                cycle = cycles.publish_cycle(
                    get_session(), definition, new_cycle, created_by=g.user.id
                )
        except SubmissionError as error:
            form.organisations.errors = [*form.organisations.errors, str(error)]
        else:
            flash(f"{cycle.title} has been published")
            told = tell_published(cycle, set(new_cycle.organisation_ids))
            if cycle.audience is CycleAudience.ORGANISATIONS:
                flash(f"{told} organisation leads were emailed what is asked and by when")
            return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    return render_template(
        "cycles/new.html",
        form=form,
        kinds={d.key: _default_kind(d.audience, d.key) for d in definitions().latest_definitions()},
    ), (400 if form.errors else 200)


def _default_kind(audience: Audience, key: str) -> str:
    if audience is not Audience.ORGANISATION:
        return "link"
    return OrganisationKind.SCHOOL.value if "175" in key else OrganisationKind.AGENCY.value


@bp.get("/<int:cycle_id>")
@training_readers
def detail(cycle_id: int) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    returns = (
        cycles.returns(get_session(), cycle, with_answers=False)
        if cycle.audience is CycleAudience.ORGANISATIONS
        else []
    )
    counts = _link_counts(cycle)
    personal = chain.personal_link_ids(get_session(), cycle.id)
    return render_template(
        "cycles/detail.html",
        cycle=cycle,
        links=[link for link in cycle.links if link.id not in personal],
        personal_links=len(personal),
        returns=returns,
        counts=counts,
        definition=definition_of(cycle),
        link_form=LinkForm(),
        question_form=LocalQuestionForm(),
        is_open=cycle.is_open(utcnow()),
        unreachable={o.id for o in cycles.unreachable(get_session(), cycle)}
        if cycle.audience is CycleAudience.ORGANISATIONS
        else set(),
        round_members=shared_cycles.round_members(get_session(), cycle),
        overdue=escalation.overdue(get_session(), cycle, utcnow(), returns),
        feedback=scrutiny_returns.feedback_of(get_session(), cycle, today=utcnow().date())
        if cycle.audience is CycleAudience.ORGANISATIONS and has_standards(definition_of(cycle))
        else None,
    )


def _link_counts(cycle: Cycle) -> dict[int, int]:
    rows = get_session().execute(
        select(Response.public_link_id, func.count(Response.id))
        .where(Response.cycle_id == cycle.id, Response.submitted_at.is_not(None))
        .group_by(Response.public_link_id)
    )
    return {link_id: count for link_id, count in rows if link_id is not None}


@bp.post("/<int:cycle_id>/links")
@admin_only
def add_link(cycle_id: int) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    form = LinkForm()
    if form.validate_on_submit():
        try:
            cycles.add_public_link(
                get_session(), cycle, form.label.data or "", created_by=g.user.id
            )
            flash("A new link has been created")
        except SubmissionError as error:
            flash(str(error), "error")
    else:
        flash(
            next(iter(form.errors.values()))[0] if form.errors else "Enter what the link is for",
            "error",
        )
    return redirect(url_for("cycles.detail", cycle_id=cycle.id))


@bp.get("/links/<int:link_id>/qr.svg")
@admin_only
def qr_code(link_id: int) -> ResponseReturnValue:
    link = get_session().get(PublicLink, link_id) or abort(404)
    buffer = io.BytesIO()
    segno.make(url_for("respond.start", token=link.token, _external=True), error="m").save(
        buffer, kind="svg", scale=8, border=2, title=f"QR code for {link.label}"
    )
    return (
        buffer.getvalue(),
        200,
        {"Content-Type": "image/svg+xml", "Content-Disposition": "inline; filename=qr-code.svg"},
    )


@bp.post("/<int:cycle_id>/reminders")
@admin_only
def remind(cycle_id: int) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    people = cycles.people_to_remind(get_session(), cycle)
    queued = [person for person in people if send_reminder(person, cycle)]
    reached = {person.organisation_id for person in queued}
    sent = len(queued)
    cycles.mark_reminded(get_session(), cycle, by=g.user.id)
    names = sorted(
        row.organisation.name
        for row in cycles.returns(get_session(), cycle)
        if row.organisation.id in reached
    )
    flash(
        f"Reminders sent to {sent} people in organisations that have not submitted"
        + (f": {', '.join(names)}" if names else "")
    )
    nobody = [o.name for o in cycles.unreachable(get_session(), cycle)]
    if nobody:
        flash(f"No one to email at {', '.join(nobody)}: invite their lead under Users", "error")
    if sent < len(people):
        flash(
            f"{len(people) - sent} of {len(people)} reminders could not be sent. Try again later",
            "error",
        )
    return redirect(url_for("cycles.detail", cycle_id=cycle.id))


@bp.get("/responses/<int:response_id>")
@readers
def response(response_id: int) -> ResponseReturnValue:
    found = get_session().get(Response, response_id) or abort(404)
    definition = shared_returns.own_definition(get_session(), found.cycle, definition_of(found))
    journey = Journey(definition, responses.answers_of(found))
    withheld = {flag.question_id for flag in _flags(found)}
    sections = past_returns.read_sections(journey)
    for section in sections:
        section.answers = [a for a in section.answers if a.question_id not in withheld]
    previous = (
        carry_forward.previous_return(get_session(), found.cycle, found.organisation_id)
        if found.organisation_id is not None
        else None
    )
    if previous is not None:
        _note_changes(
            sections, Journey(definition_of(previous), previous.answers), journey, previous
        )
    return render_template(
        "cycles/response.html",
        response=found,
        definition=definition,
        sections=sections,
        withheld=withheld,
        previous=previous,
        shared_with=[p.name for p in shared_returns.partnerships_of(get_session(), found)]
        if found.cycle.shared_round
        else [],
    )


def _note_changes(
    sections: list[past_returns.ReadSection], before: Journey, after: Journey, previous: Response
) -> None:
    """Say on each standard whether it changed since the last cycle, and how its rating moved."""
    found = carry_forward.changes_since_last(before, after)
    for section in sections:
        change = found.get(section.page_id)
        if change is None:
            continue
        if change.is_unchanged:
            section.notes.append(f"Unchanged since last cycle ({previous.cycle.title})")
            continue
        parts = []
        if change.rating_before != change.rating_after:
            before, after = change.rating_before or "not rated", change.rating_after or "not rated"
            parts.append(f"rating {before} → {after}")
        if change.changed:
            parts.append("changed: " + "; ".join(f"‘{label}’" for label in change.changed))
        section.notes.append(f"Since last cycle ({previous.cycle.title}): " + ", ".join(parts))


@bp.get("/responses/<int:response_id>/evidence/<int:file_id>")
@readers
def evidence(response_id: int, file_id: int) -> ResponseReturnValue:
    """Open an evidence file of a return (every opening is written to the audit log)."""
    found = get_session().get(Response, response_id) or abort(404)
    file = get_session().scalar(
        select(EvidenceFile).where(EvidenceFile.id == file_id, EvidenceFile.response_id == found.id)
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
        data_folder() / "evidence",
        file.stored_name,
        as_attachment=True,
        download_name=file.filename,
        mimetype=file.content_type,
    )


def _flags(found: Response) -> list[DisclosureFlag]:
    return list(
        get_session().scalars(select(DisclosureFlag).where(DisclosureFlag.response_id == found.id))
    )


@bp.post("/responses/<int:response_id>/reopen")
@admin_only
def reopen(response_id: int) -> ResponseReturnValue:
    found = get_session().get(Response, response_id) or abort(404)
    try:
        responses.reopen(get_session(), found, user=g.user)
        told = tell_reopened(found, by=g.user)
        flash("The return has been reopened. The submitted version is kept in its history")
        if told:
            flash(f"It was shared, so it has reopened for every partnership: {told} people told")
    except SubmissionError as error:
        flash(str(error), "error")
    return redirect(url_for("cycles.response", response_id=found.id))
