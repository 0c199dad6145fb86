"""Shared cycles and local questions: join or decline another partnership's shared cycle,
and add the partnership's own questions to a cycle."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from surveys import shared_cycles
from surveys.errors import SubmissionError
from surveys.models import CycleAudience, SharedCycleOffer
from webapp.cycles.blueprint import admin_only, bp, cycle_or_404
from webapp.cycles.forms import JoinForm, LocalQuestionForm
from webapp.cycles.views import organisation_choices
from webapp.database import get_session
from webapp.form_pages import definitions
from webapp.notifications import tell_published


def _offer_or_404(offer_id: int) -> SharedCycleOffer:
    return get_session().get(SharedCycleOffer, offer_id) or abort(404)


@bp.route("/offers/<int:offer_id>", methods=["GET", "POST"])
@admin_only
def join(offer_id: int) -> ResponseReturnValue:
    offer = _offer_or_404(offer_id)
    if offer.joined_cycle_id is not None:
        return redirect(url_for("cycles.detail", cycle_id=offer.joined_cycle_id))
    form = JoinForm()
    form.organisations.choices = organisation_choices()
    definition = definitions().get(offer.definition_key, offer.definition_version)
    if form.validate_on_submit():
        try:
            cycle = shared_cycles.join(
                get_session(),
                offer,
                definition,
                tuple(form.organisations.data or ()),
                created_by=g.user.id,
            )
        except SubmissionError as error:
            form.organisations.errors = [*form.organisations.errors, str(error)]
        else:
            flash(f"You have joined {cycle.title}")
            told = tell_published(cycle, set(form.organisations.data or ()))
            flash(f"{told} organisation leads were emailed what is asked and by when")
            return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    return render_template("cycles/join.html", offer=offer, form=form, definition=definition), (
        400 if form.errors else 200
    )


@bp.post("/offers/<int:offer_id>/decline")
@admin_only
def decline(offer_id: int) -> ResponseReturnValue:
    offer = _offer_or_404(offer_id)
    if offer.joined_cycle_id is None and offer.declined_at is None:
        shared_cycles.decline(get_session(), offer, by=g.user.id)
        flash(f"You have declined {offer.title}")
    return redirect(url_for("cycles.index"))


@bp.route("/<int:cycle_id>/local-questions", methods=["GET", "POST"])
@admin_only
def local_questions(cycle_id: int) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    if cycle.audience is not CycleAudience.ORGANISATIONS:
        abort(404)
    form = LocalQuestionForm()
    if form.validate_on_submit():
        try:
            shared_cycles.add_local_question(
                get_session(), cycle, form.label.data or "", form.hint.data or "", by=g.user.id
            )
        except SubmissionError as error:
            form.label.errors = [*form.label.errors, str(error)]
        else:
            flash("Your question has been added. Organisations answer it beside the form's")
            return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    return render_template("cycles/local_questions.html", cycle=cycle, form=form), (
        400 if form.errors else 200
    )
