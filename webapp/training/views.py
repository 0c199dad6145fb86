"""The training programme at /training: courses, sessions with their links and QR codes,
attendance, and the training dashboard.

Partnership admins and training leads run the programme; the quality group reads it and its
dashboard (attendance as a count: attendees' names and emails are the training lead's and the
admins' only); an organisation's lead and contributors see the dashboard for their own staff.
"""

from __future__ import annotations

import io
from datetime import date

import segno
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from learning import log, training_themes
from learning.errors import LearningError
from surveys import organisations, spreadsheets
from surveys.models import Role, TrainingCourse, TrainingSession
from surveys.training import figures, programme
from webapp.access import roles
from webapp.database import get_session
from webapp.reviews.forms import show_error
from webapp.training import forms
from webapp.training.dashboard import (
    BARRIER_LABELS,
    confidence_bars,
    dashboard_rows,
    scope_of,
    table_params,
)

bp = Blueprint("training", __name__, url_prefix="/training")
MANAGERS = frozenset({Role.PARTNERSHIP_ADMIN, Role.TRAINING_LEAD})
admin_only = roles(*MANAGERS)
readers = roles(*MANAGERS, Role.QUALITY_GROUP)
dashboard_readers = roles(
    *MANAGERS,
    Role.QUALITY_GROUP,
    Role.ORGANISATION_LEAD,
    Role.ORGANISATION_CONTRIBUTOR,
)


@bp.context_processor
def _figure_helpers() -> dict[str, object]:
    return {
        "confidence_bars": confidence_bars,
        "table_params": table_params,
        "barrier_labels": BARRIER_LABELS,
    }


def _may_manage() -> bool:
    """Whether the member runs the programme (and so sees attendees' names and emails)."""
    return not MANAGERS.isdisjoint(g.member.roles)


def _course(course_id: int) -> TrainingCourse:
    return programme.course_or_none(get_session(), course_id) or abort(404)


def _session(session_id: int) -> TrainingSession:
    return programme.session_or_none(get_session(), session_id) or abort(404)


def _form_page(form: forms.GovForm, *, title: str, button: str, back: tuple[str, str]):  # type: ignore[no-untyped-def,name-defined]
    return render_template(
        "training/form.html", form=form, title=title, button=button, back=back
    ), (400 if form.errors else 200)


@bp.get("")
@readers
def index() -> ResponseReturnValue:
    return render_template(
        "training/index.html",
        courses=programme.list_courses(get_session()),
        may_manage=_may_manage(),
    )


def _entry_exists(form: forms.CourseForm) -> bool:
    """Whether the learning log entry named (if any) is one of this partnership's."""
    if form.learning_entry.data is None:
        return True
    try:
        log.get_entry(get_session(), form.learning_entry.data)
    except LearningError:
        form.learning_entry.errors = ["Enter the number of an entry in the learning log"]
        return False
    return True


@bp.route("/courses/new", methods=["GET", "POST"])
@admin_only
def course_new() -> ResponseReturnValue:
    form = forms.CourseForm()
    if form.validate_on_submit() and _entry_exists(form):
        try:
            course = programme.create_course(
                get_session(),
                title=form.title.data or "",
                outcomes=(form.outcomes.data or "").splitlines(),
                level=form.level.data or "",
                learning_entry_id=form.learning_entry.data,
                by=g.user.id,
            )
        except programme.TrainingError as error:
            show_error(form, error)  # type: ignore[arg-type]
        else:
            flash("The course has been added")
            return redirect(url_for("training.course", course_id=course.id))
    return _form_page(
        form,
        title="Add a course",
        button="Add course",
        back=("Training", url_for("training.index")),
    )


@bp.get("/courses/<int:course_id>")
@readers
def course(course_id: int) -> ResponseReturnValue:
    found = _course(course_id)
    figures_ = figures.dashboard(get_session(), course_id=found.id)
    return render_template(
        "training/course.html",
        course=found,
        figures=figures_,
        rows=dashboard_rows(figures_),
        may_manage=_may_manage(),
    )


@bp.route("/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@admin_only
def session_new(course_id: int) -> ResponseReturnValue:
    found = _course(course_id)
    form = forms.SessionForm()
    if form.validate_on_submit():
        new = programme.NewSession(
            held_on=form.held_on.data,
            venue=form.venue.data or "",
            is_online=bool(form.is_online.data),
            trainers=form.trainers.data or "",
            capacity=form.capacity.data or 0,
        )
        try:
            added = programme.add_session(get_session(), found.id, new, by=g.user.id)
        except programme.TrainingError as error:
            show_error(form, error)  # type: ignore[arg-type]
        else:
            flash("The session has been added, with its own link and QR code")
            return redirect(url_for("training.session", session_id=added.id))
    back = (found.title, url_for("training.course", course_id=found.id))
    return _form_page(
        form, title=f"Add a session of {found.title}", button="Add session", back=back
    )


def _session_page(found: TrainingSession, **forms_: object) -> ResponseReturnValue:
    is_admin = _may_manage()
    status = 400 if any(getattr(f, "errors", None) for f in forms_.values()) else 200
    return render_template(
        "training/session.html",
        training_session=found,
        link_url=url_for("respond.start", token=found.link.token, _external=True),
        attendance=programme.attendance_of(get_session(), found.id) if is_admin else [],
        attendance_count=programme.attendance_count(get_session(), found.id),
        organisation_names={o.id: o.name for o in organisations.list_organisations(get_session())},
        may_manage=is_admin,
        attendee_form=forms_.get("attendee_form") or forms.AttendeeForm(formdata=None),
        file_form=forms_.get("file_form") or forms.AttendanceFileForm(formdata=None),
        file_problems=forms_.get("file_problems") or [],
    ), status


@bp.get("/sessions/<int:session_id>")
@readers
def session(session_id: int) -> ResponseReturnValue:
    return _session_page(_session(session_id))


@bp.get("/sessions/<int:session_id>/qr")
@readers
def session_qr(session_id: int) -> ResponseReturnValue:
    found = _session(session_id)
    link_url = url_for("respond.start", token=found.link.token, _external=True)
    return render_template("training/qr.html", training_session=found, link_url=link_url)


@bp.get("/sessions/<int:session_id>/qr.svg")
@readers
def session_qr_svg(session_id: int) -> ResponseReturnValue:
    found = _session(session_id)
    buffer = io.BytesIO()
    segno.make(url_for("respond.start", token=found.link.token, _external=True), error="m").save(
        buffer, kind="svg", scale=10, border=2, title="QR code for the course feedback form"
    )
    return buffer.getvalue(), 200, {"Content-Type": "image/svg+xml"}


@bp.post("/sessions/<int:session_id>/attendance")
@admin_only
def attendance_add(session_id: int) -> ResponseReturnValue:
    found = _session(session_id)
    form = forms.AttendeeForm()
    if form.validate_on_submit():
        attendee = programme.Attendee(
            form.name.data or "", form.email.data or "", form.organisation.data or ""
        )
        try:
            programme.record_attendance(get_session(), found.id, attendee)
        except programme.TrainingError as error:
            show_error(form, error)  # type: ignore[arg-type]
        else:
            flash("The attendee has been added")
            return redirect(url_for("training.session", session_id=found.id))
    return _session_page(found, attendee_form=form)


@bp.post("/sessions/<int:session_id>/attendance/file")
@admin_only
def attendance_upload(session_id: int) -> ResponseReturnValue:
    found = _session(session_id)
    form = forms.AttendanceFileForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        form.file.errors = [*form.file.errors, "Choose a CSV file of attendees"]
        return _session_page(found, file_form=form)
    try:
        attendees = programme.read_attendance_csv(upload.read(2_000_001)[:2_000_000])
        count = programme.import_attendance(get_session(), found.id, attendees)
    except programme.AttendanceFileError as error:
        form.file.errors = [*form.file.errors, str(error)]
        return _session_page(found, file_form=form, file_problems=error.problems)
    flash(f"{count} attendees have been added")
    return redirect(url_for("training.session", session_id=found.id))


def _period() -> tuple[date | None, date | None]:
    def read(name: str) -> date | None:
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    return read("from"), read("to")


def _figures() -> tuple[figures.Dashboard, int | None, int | None]:
    course_id = request.args.get("course", type=int)
    scope = scope_of(g.member)
    start, end = _period()
    found = figures.dashboard(
        get_session(), course_id=course_id, organisation_id=scope, start=start, end=end
    )
    return found, course_id, scope


@bp.get("/dashboard")
@dashboard_readers
def dashboard() -> ResponseReturnValue:
    found, course_id, scope = _figures()
    return render_template(
        "training/dashboard.html",
        figures=found,
        themes=training_themes.practice_change_themes(get_session(), found.overall.follow_up_ids),
        rows=dashboard_rows(found),
        courses=figures.course_titles(get_session()),
        course_id=course_id,
        is_own_staff=scope is not None,
        query=request.args.to_dict(),
    )


@bp.get("/dashboard.<any(csv, xlsx):kind>")
@dashboard_readers
def dashboard_export(kind: str) -> ResponseReturnValue:
    found, _, _ = _figures()
    sheets = dashboard_rows(found)
    if kind == "csv":
        header = ["Breakdown", *sheets[0].header]
        rows = [[sheet.title, *row] for sheet in sheets for row in sheet.rows]
        body, mime = spreadsheets.write_csv(header, rows), "text/csv; charset=utf-8"
    else:
        body = spreadsheets.write_xlsx(sheets, title="Training dashboard")
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = f"attachment; filename=training-dashboard.{kind}"
    return body, 200, {"Content-Type": mime, "Content-Disposition": disposition}
