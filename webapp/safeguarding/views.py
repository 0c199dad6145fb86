"""The designated safeguarding lead's restricted queue of possible disclosures."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from surveys import engine, safeguarding_queue
from surveys.models import ReviewOutcome, Role, utcnow
from surveys.responses import answers_of
from surveys.safeguarding_queue import QueueFilter
from webapp.access import roles
from webapp.database import get_session
from webapp.form_pages import definition_of
from webapp.forms import GovForm

bp = Blueprint("safeguarding", __name__, url_prefix="/safeguarding")
dsl_only = roles(Role.SAFEGUARDING_LEAD)


class ReviewForm(GovForm):
    outcome = RadioField(
        "What did you decide?",
        choices=[(outcome.value, outcome.label) for outcome in ReviewOutcome],
        widget=GovRadioInput(),
        validators=[InputRequired("Select what you decided about this response")],
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovTextArea(),
        description="For example, the referral number, who you spoke to, or why no action",
        validators=[Length(max=5000, message="Note must be 5,000 characters or fewer")],
    )
    submit = SubmitField("Record review", widget=GovSubmitInput())


@bp.get("")
@dsl_only
def index() -> ResponseReturnValue:
    try:
        show = QueueFilter(request.args.get("show", QueueFilter.UNREVIEWED.value))
    except ValueError:
        show = QueueFilter.UNREVIEWED
    items = safeguarding_queue.queue(get_session(), definition_of, show=show)
    return render_template(
        "safeguarding/index.html", items=items, now=utcnow(), show=show, filters=QueueFilter
    )


@bp.route("/responses/<int:response_id>", methods=["GET", "POST"])
@dsl_only
def response(response_id: int) -> ResponseReturnValue:
    item = safeguarding_queue.open_response(
        get_session(), response_id, definition_of, viewer=g.user
    ) or abort(404)
    form = ReviewForm()
    if not item.is_reviewed and form.validate_on_submit():
        safeguarding_queue.record_review(
            get_session(),
            item,
            outcome=ReviewOutcome(form.outcome.data),
            note=form.note.data or "",
            reviewer=g.user,
        )
        flash("Your review has been recorded")
        return redirect(url_for("safeguarding.index"))
    definition = definition_of(item.response)
    rows = engine.summary_rows(definition, answers_of(item.response))
    return render_template(
        "safeguarding/response.html",
        item=item,
        rows=rows,
        flagged={flag.question_id for flag in item.flags},
        definition=definition,
        form=form,
        now=utcnow(),
    ), (400 if request.method == "POST" and form.errors else 200)
