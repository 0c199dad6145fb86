"""Running a published cycle: change its dates, close it early, give one organisation more
time, and change which organisations are asked (`surveys.running_cycles`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from surveys import escalation, running_cycles
from surveys.errors import SubmissionError
from surveys.models import CycleAudience, Organisation, utcnow
from webapp.cycles.blueprint import admin_only, bp, cycle_or_404
from webapp.cycles.forms import CycleDatesForm, EscalationForm, ExtensionForm, OrganisationsForm
from webapp.cycles.views import organisation_choices
from webapp.database import get_session
from webapp.notifications import tell_escalated, tell_published
from webapp.wording import plural


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@bp.route("/<int:cycle_id>/edit", methods=["GET", "POST"])
@admin_only
def edit(cycle_id: int) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    form = CycleDatesForm(
        data={
            "title": cycle.title,
            "opens_on": cycle.opens_at.date(),
            "closes_on": cycle.closes_at.date(),
        }
    )
    if form.validate_on_submit():
        dates = running_cycles.CycleDates(
            form.title.data or "", _midnight(form.opens_on.data), _midnight(form.closes_on.data)
        )
        try:
            running_cycles.change_dates(get_session(), cycle, dates, by=g.user.id)
        except SubmissionError as error:
            form.closes_on.errors = [*form.closes_on.errors, str(error)]
        else:
            flash(f"{cycle.title} now runs to {cycle.closes_at:%-d %B %Y}")
            return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    return render_template("cycles/edit.html", cycle=cycle, form=form), (
        400 if form.errors else 200
    )


@bp.post("/<int:cycle_id>/close")
@admin_only
def close(cycle_id: int) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    try:
        running_cycles.close_now(get_session(), cycle, by=g.user.id)
        flash(f"{cycle.title} is closed. Change its dates to reopen it")
    except SubmissionError as error:
        flash(str(error), "error")
    return redirect(url_for("cycles.detail", cycle_id=cycle.id))


@bp.route("/<int:cycle_id>/organisations", methods=["GET", "POST"])
@admin_only
def organisations(cycle_id: int) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    if cycle.audience is not CycleAudience.ORGANISATIONS:
        abort(404)
    form = OrganisationsForm(data={"organisations": [a.organisation_id for a in cycle.assignments]})
    form.organisations.choices = organisation_choices()
    if form.validate_on_submit():
        try:
            changed = running_cycles.change_organisations(
                get_session(), cycle, tuple(form.organisations.data or ()), by=g.user.id
            )
        except SubmissionError as error:
            form.organisations.errors = [*form.organisations.errors, str(error)]
        else:
            for verb, names in (("Added", changed.added), ("Removed", changed.removed)):
                if names:
                    flash(f"{verb}: {', '.join(names)}")
            if changed.added_ids:
                told = tell_published(cycle, set(changed.added_ids))
                flash(f"{told} leads of the added organisations were emailed")
            return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    return render_template("cycles/organisations.html", cycle=cycle, form=form), (
        400 if form.errors else 200
    )


@bp.route("/<int:cycle_id>/organisations/<int:organisation_id>/extend", methods=["GET", "POST"])
@admin_only
def extend(cycle_id: int, organisation_id: int) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    if organisation_id not in {a.organisation_id for a in cycle.assignments}:
        abort(404)
    organisation = get_session().get(Organisation, organisation_id) or abort(404)
    form = ExtensionForm()
    if form.validate_on_submit():
        try:
            running_cycles.extend_for(
                get_session(), cycle, organisation_id, _midnight(form.until.data), by=g.user.id
            )
        except SubmissionError as error:
            form.until.errors = [*form.until.errors, str(error)]
        else:
            flash(f"{organisation.name} now has until {form.until.data:%-d %B %Y}")
            return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    return render_template(
        "cycles/extend.html", cycle=cycle, organisation=organisation, form=form
    ), (400 if form.errors else 200)


@bp.route("/<int:cycle_id>/overdue", methods=["GET", "POST"])
@admin_only
def escalate(cycle_id: int) -> ResponseReturnValue:
    """The overdue returns: a second reminder, their senior contacts told, a new date."""
    cycle = cycle_or_404(cycle_id)
    if cycle.audience is not CycleAudience.ORGANISATIONS:
        abort(404)
    now = utcnow()
    late = escalation.overdue(get_session(), cycle, now)
    form = EscalationForm(
        data={"organisations": [item.organisation.id for item in late if not item.escalated_at]}
    )
    form.organisations.choices = [(item.organisation.id, item.organisation.name) for item in late]
    if late and form.validate_on_submit():
        try:
            done = escalation.escalate(
                get_session(),
                cycle,
                tuple(form.organisations.data or ()),
                _midnight(form.until.data),
                by=g.user.id,
                now=now,
            )
        except SubmissionError as error:
            form.organisations.errors = [*form.organisations.errors, str(error)]
        else:
            partnership = g.member.partnership.name
            told = sum(tell_escalated(cycle, item, partnership=partnership) for item in done)
            flash(
                f"{plural(told, 'email')} sent about {plural(len(done), 'overdue return')}: "
                + ", ".join(item.organisation.name for item in done)
            )
            return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    return render_template("cycles/overdue.html", cycle=cycle, form=form, late=late), (
        400 if form.errors else 200
    )

