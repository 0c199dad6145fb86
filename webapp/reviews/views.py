"""Case reviews at /reviews: record a serious incident, run the rapid review against its clocks
(meetings, agencies' information returns, the decision), then the local review, its
recommendations as actions and its learning in the log.

Case review officers, the quality group and partnership admins use these pages; the child's
own details (`case_details`) open to case review officers only, and each opening is audited.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as WerkzeugResponse

from learning import review_learning
from learning.errors import LearningError
from surveys import engine, organisations, responses
from surveys.case_reviews import details, information, records
from surveys.case_reviews.deadlines import deadlines_of, next_due
from surveys.errors import CaseReviewError, ReviewNotFound
from surveys.models import CaseReview, PublicationDecision, ReviewDecision, Role, utcnow
from webapp.access import roles
from webapp.database import get_session
from webapp.form_pages import definition_of, definitions
from webapp.forms import GovForm
from webapp.notifications import tell_published
from webapp.reviews import forms
from webapp.reviews.forms import show_error

bp = Blueprint("reviews", __name__, url_prefix="/reviews")
review_staff = roles(Role.CASE_REVIEWER, Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)
case_reviewers = roles(Role.CASE_REVIEWER)


def _today() -> date:
    return utcnow().date()


def _review(review_id: int) -> CaseReview:
    try:
        return records.get_review(get_session(), review_id)
    except ReviewNotFound:
        abort(404)


def _to_review(review: CaseReview, message: str) -> WerkzeugResponse:
    flash(message)
    return redirect(url_for("reviews.detail", review_id=review.id))


def _form_page(
    form: GovForm,
    *,
    title: str,
    button: str,
    review: CaseReview | None = None,
    **context: object,
) -> ResponseReturnValue:
    status = 400 if form.errors else 200
    return render_template(
        "reviews/form.html", form=form, title=title, button=button, review=review, **context
    ), status


@bp.get("")
@review_staff
def index() -> ResponseReturnValue:
    return render_template(
        "reviews/index.html", reviews=records.list_reviews(get_session(), _today())
    )


def _owner_choices(form: forms.NotificationForm) -> None:
    form.owner_id.choices = [(u.id, u.name) for u in records.possible_owners(get_session())]


def _notification(form: forms.NotificationForm) -> records.Notification:
    return records.Notification(
        reference=form.reference.data or "",
        became_aware_on=form.became_aware_on.data,
        incident_summary=form.incident_summary.data or "",
        owner_id=form.owner_id.data,
        panel_notified_on=form.panel_notified_on.data,
        ofsted_notified_on=form.ofsted_notified_on.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@review_staff
def new() -> ResponseReturnValue:
    form = forms.NotificationForm(data={"owner_id": g.user.id})
    _owner_choices(form)
    if form.validate_on_submit():
        try:
            review = records.record_notification(
                get_session(), _notification(form), recorded_by=g.user
            )
        except CaseReviewError as error:
            show_error(form, error)
        else:
            return _to_review(review, f"Case review {review.reference} has been recorded")
    return _form_page(
        form, title="Record a serious incident notification", button="Record notification"
    )


@bp.get("/<int:review_id>")
@review_staff
def detail(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    session, dates = get_session(), records.review_dates(review)
    return render_template(
        "reviews/detail.html",
        review=review,
        stage=records.stage_of(review),
        deadlines=deadlines_of(dates),
        due=next_due(dates, _today()),
        today=_today(),
        returns=information.information_returns(session, review),
        actions=review_learning.actions_by_recommendation(session, review),
        entries=review_learning.entries_of_review(session, review.id),
        may_see_details=g.member.role is Role.CASE_REVIEWER,
    )


@bp.route("/<int:review_id>/notification", methods=["GET", "POST"])
@review_staff
def notification(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = forms.NotificationForm(obj=review)
    _owner_choices(form)
    if form.validate_on_submit():
        try:
            records.update_notification(get_session(), review.id, _notification(form), by=g.user)
        except CaseReviewError as error:
            show_error(form, error)
        else:
            return _to_review(review, "The notification has been updated")
    return _form_page(form, title="Notification", button="Save notification", review=review)


@bp.route("/<int:review_id>/information", methods=["GET", "POST"])
@review_staff
def agencies(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = forms.AgenciesForm()
    form.organisations.choices = [
        (o.id, o.name)
        for o in organisations.list_organisations(get_session(), include_inactive=False)
    ]
    returns = information.information_returns(get_session(), review)
    if form.validate_on_submit():
        try:
            cycle = information.ask_agencies(
                get_session(),
                review.id,
                list(form.organisations.data or []),
                definition=definitions().latest(information.INFORMATION_FORM),
                by=g.user,
            )
        except CaseReviewError as error:
            show_error(form, error)
        else:
            newly = set(form.organisations.data or []) - {r.organisation.id for r in returns}
            tell_published(cycle, newly)  # each agency's lead: what is asked, and by when
            return _to_review(review, "The agencies have been asked for information")
    asked = [row.organisation.name for row in returns]
    return _form_page(
        form,
        title="Ask agencies for information",
        button="Ask for information",
        review=review,
        asked=asked,
    )


@bp.get("/<int:review_id>/information/<int:information_id>")
@review_staff
def information_return(review_id: int, information_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    try:
        found = information.submitted_return(get_session(), review, information_id)
    except ReviewNotFound:
        abort(404)
    definition = definition_of(found)
    rows = engine.summary_rows(definition, responses.answers_of(found))
    return render_template(
        "reviews/information_return.html",
        review=review,
        response=found,
        rows=rows,
        definition=definition,
    )


@bp.route("/<int:review_id>/meetings/new", methods=["GET", "POST"])
@review_staff
def meeting(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = forms.MeetingForm()
    if form.validate_on_submit():
        try:
            records.add_meeting(
                get_session(),
                review.id,
                held_on=form.held_on.data,
                attended_by=form.attended_by.data or "",
                notes=form.notes.data or "",
                by=g.user,
            )
        except CaseReviewError as error:
            show_error(form, error)
        else:
            return _to_review(review, "The meeting has been recorded")
    return _form_page(
        form, title="Record a rapid review meeting", button="Record meeting", review=review
    )


@bp.route("/<int:review_id>/decision", methods=["GET", "POST"])
@review_staff
def decision(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = forms.DecisionForm(
        data={
            "decision": review.decision.value if review.decision else None,
            "reasons": review.decision_reasons,
            "decided_on": review.decided_on,
            "peer_challenge": review.peer_challenge,
            "panel_view": review.panel_view,
        }
    )
    if form.validate_on_submit():
        chosen = records.Decision(
            decision=ReviewDecision(form.decision.data),
            reasons=form.reasons.data or "",
            decided_on=form.decided_on.data,
            peer_challenge=form.peer_challenge.data or "",
            panel_view=form.panel_view.data or "",
        )
        try:
            records.record_decision(get_session(), review.id, chosen, by=g.user)
        except CaseReviewError as error:
            show_error(form, error)
        else:
            return _to_review(review, "The rapid review’s decision has been recorded")
    return _form_page(
        form, title="The rapid review’s decision", button="Record decision", review=review
    )


@bp.route("/<int:review_id>/local-review", methods=["GET", "POST"])
@review_staff
def local_review(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = forms.LocalReviewForm(data=_local_review_data(review))
    if form.validate_on_submit():
        try:
            records.record_local_review(
                get_session(), review.id, _local_review(form), by=g.user, today=_today()
            )
        except CaseReviewError as error:
            show_error(form, error)
        else:
            return _to_review(review, "The local review has been updated")
    return _form_page(
        form,
        title="Local child safeguarding practice review",
        button="Save local review",
        review=review,
    )


def _local_review_data(review: CaseReview) -> dict[str, object]:
    independent = review.lead_reviewer_is_independent
    publication = review.publication_decision
    return {
        **{name: getattr(review, name) for name in LOCAL_REVIEW_TEXT},
        "lead_reviewer_is_independent": {True: "yes", False: "no"}.get(independent),
        "publication_decision": publication.value if publication else None,
    }


LOCAL_REVIEW_TEXT = (
    "terms_of_reference",
    "lead_reviewer",
    "agencies_involved",
    "practitioners_involved",
    "family_involvement",
    "publication_reasons",
    "published_on",
    "published_until",
)


def _local_review(form: forms.LocalReviewForm) -> records.LocalReview:
    independent = form.lead_reviewer_is_independent.data
    publication = form.publication_decision.data
    return records.LocalReview(
        terms_of_reference=form.terms_of_reference.data or "",
        lead_reviewer=form.lead_reviewer.data or "",
        lead_reviewer_is_independent={"yes": True, "no": False}.get(independent or ""),
        agencies_involved=form.agencies_involved.data or "",
        practitioners_involved=form.practitioners_involved.data or "",
        family_involvement=form.family_involvement.data or "",
        publication_decision=PublicationDecision(publication)
        if publication in {d.value for d in PublicationDecision}
        else None,
        publication_reasons=form.publication_reasons.data or "",
        published_on=form.published_on.data,
        published_until=form.published_until.data,
    )


@bp.route("/<int:review_id>/recommendations/new", methods=["GET", "POST"])
@review_staff
def recommendation(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = forms.RecommendationForm()
    if form.validate_on_submit():
        try:
            records.add_recommendation(get_session(), review.id, form.text.data or "", by=g.user)
        except CaseReviewError as error:
            show_error(form, error)
        else:
            return _to_review(review, "The recommendation has been added")
    return _form_page(
        form, title="Add a recommendation", button="Add recommendation", review=review
    )


@bp.route(
    "/<int:review_id>/recommendations/<int:recommendation_id>/action", methods=["GET", "POST"]
)
@review_staff
def recommendation_action(review_id: int, recommendation_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    try:
        found = records.get_recommendation(get_session(), review.id, recommendation_id)
    except ReviewNotFound:
        abort(404)
    form = forms.RecommendationActionForm()
    form.organisation.choices = [
        (o.id, o.name)
        for o in organisations.list_organisations(get_session(), include_inactive=False)
    ]
    if form.validate_on_submit():
        try:
            review_learning.action_from_recommendation(
                get_session(),
                review.id,
                found.id,
                owner_organisation_id=form.organisation.data,
                due_date=form.due_date.data,
                created_by=g.user,
            )
        except LearningError as error:
            show_error(form, CaseReviewError(str(error), field="organisation"))
        else:
            return _to_review(review, f"Recommendation {found.number} is now an action")
    return _form_page(
        form,
        title=f"Turn recommendation {found.number} into an action",
        button="Create action",
        review=review,
        recommendation=found,
    )


@bp.route("/<int:review_id>/learning/new", methods=["GET", "POST"])
@review_staff
def learning(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = forms.LearningForm()
    if form.validate_on_submit():
        try:
            review_learning.entry_from_review(
                get_session(),
                review.id,
                title=form.title.data or "",
                lesson=form.lesson.data or "",
                created_by=g.user,
            )
        except LearningError as error:
            show_error(form, CaseReviewError(str(error), field="title"))
        else:
            return _to_review(review, "The learning has been added to the learning log")
    return _form_page(
        form,
        title="Add learning to the learning log",
        button="Add to the learning log",
        review=review,
    )


@bp.route("/<int:review_id>/case-details", methods=["GET", "POST"])
@case_reviewers
def case_details(review_id: int) -> ResponseReturnValue:
    review = _review(review_id)
    form = forms.CaseDetailsForm()
    if form.validate_on_submit():
        entered = details.Details(
            child_name=form.child_name.data or "",
            remove_on=form.remove_on.data,
            date_of_birth=form.date_of_birth.data,
            address=form.address.data or "",
            ethnicity=form.ethnicity.data or "",
        )
        try:
            details.save_details(get_session(), review.id, entered, by=g.user, today=_today())
        except CaseReviewError as error:
            show_error(form, error)
        else:
            return _to_review(review, "The case details have been saved")
        return _form_page(
            form, title="Case details", button="Save case details", review=review, restricted=True
        )
    held = details.open_details(get_session(), review.id, viewer=g.user)
    if held is not None:
        form = forms.CaseDetailsForm(formdata=None, obj=held)
    return _form_page(
        form, title="Case details", button="Save case details", review=review, restricted=True
    )
