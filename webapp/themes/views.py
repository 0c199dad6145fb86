"""The quality group: start theming runs, watch progress, review and edit themes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from learning import (
    board,
    carries,
    errors,
    log,
    runs,
    theme_edits,
    theme_split,
    themes,
    update_runs,
)
from learning.models import Theme, ThemingRun
from learning.report_rules import suppress
from learning.selection import Selection
from surveys.audit import record_audit
from surveys.definition import Stream
from surveys.models import Cycle, Role, Sector
from surveys.streams import KEPT_WITH_REVIEWS
from webapp.access import roles
from webapp.board.forms import PlaceForm
from webapp.database import get_session
from webapp.forms import GovForm, first_problem
from webapp.queue import enqueue
from webapp.themes.forms import EDIT_FORMS, MergeForm, MoveStatementsForm, RenameForm, RunForm

bp = Blueprint("themes", __name__, url_prefix="/quality")
quality_group = roles(Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)


def _run_form() -> RunForm:
    form = RunForm()
    themed = [s for s in Stream if s not in KEPT_WITH_REVIEWS]
    form.streams.choices = [(s.value, s.value.replace("_", " ").capitalize()) for s in themed]
    form.cycles.choices = [
        (c.id, c.title)
        for c in get_session().scalars(select(Cycle).order_by(Cycle.opens_at.desc()))
    ]
    form.sectors.choices = [(s.value, s.label) for s in Sector]
    return form


def _home_page(form: RunForm) -> ResponseReturnValue:
    found = get_session().scalars(select(ThemingRun).order_by(ThemingRun.id.desc()).limit(20))
    can_update = runs.latest_finished_run(get_session()) is not None
    return render_template(
        "themes/home.html", runs=list(found), form=form, can_update=can_update
    ), (400 if form.errors else 200)


@bp.get("")
@quality_group
def home() -> ResponseReturnValue:
    return _home_page(_run_form())


@bp.post("/runs")
@quality_group
def start_run() -> ResponseReturnValue:
    form = _run_form()
    if not form.validate_on_submit():
        return _home_page(form)
    selection = Selection(
        streams=tuple(form.streams.data or ()),
        cycle_ids=tuple(form.cycles.data or ()),
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        sectors=tuple(form.sectors.data or ()),
    )
    try:
        run = runs.start_run(
            get_session(), selection, started_by=g.user, mode=form.mode.data or "update"
        )
    except errors.LearningError as error:
        form.date_to.errors.append(str(error))
        return _home_page(form)
    enqueue("run_theming", run.id)
    return redirect(url_for("themes.run", run_id=run.id))


def _run(run_id: int) -> ThemingRun:
    return get_session().get(ThemingRun, run_id) or abort(404)


@bp.get("/runs/<int:run_id>")
@quality_group
def run(run_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    progress = runs.run_progress(get_session(), found.id)
    if found.status.value != "finished":
        return render_template("themes/progress.html", run=found, progress=progress)
    listed = runs.visible_themes(get_session(), found.id)
    return render_template(
        "themes/run.html",
        run=found,
        themes=listed,
        gone=runs_gone(found),
        to_confirm=len(carries.pending_carries(get_session(), found.id)),
        edits=theme_edits.edits_of(get_session(), found.id),
        splits=themes.polarity_splits(get_session(), listed),
        full_run_reason=update_runs.suggests_full_run(found),
    )


def runs_gone(found: ThemingRun) -> list[tuple[Theme, str]]:
    """Each earlier theme no theme of this run confidently continues, and what became of it."""
    from learning import lineage

    listed = []
    for fate in lineage.gone_themes(get_session(), found.id):
        names = [t.label for t in (get_session().get(Theme, i) for i in fate.candidate_ids) if t]
        listed.append((fate.previous_theme, lineage.fate_wording(fate.status, names)))
    return listed


@bp.get("/runs/<int:run_id>/progress.json")
@quality_group
def run_progress(run_id: int) -> ResponseReturnValue:
    progress = runs.run_progress(get_session(), _run(run_id).id)
    return jsonify(
        status=progress.status.value,
        stage=progress.stage_name,
        percent=progress.percent,
        reason=progress.failure_reason,
    )


@bp.post("/runs/<int:run_id>/cancel")
@quality_group
def cancel(run_id: int) -> ResponseReturnValue:
    try:
        runs.cancel_run(get_session(), _run(run_id).id)
    except errors.LearningError as error:
        flash(str(error), "error")
        return redirect(url_for("themes.run", run_id=run_id))
    flash("The theming run has been cancelled")
    return redirect(url_for("themes.home"))


def _theme(theme_id: int) -> Theme:
    try:
        return themes.get_theme(get_session(), theme_id)
    except errors.LearningError:
        abort(404)


def suppressed(counts: dict[str, int]) -> list[tuple[str, str]]:
    """Show each group's count under the report's small-number rule (learning.report_rules)."""
    return [
        (name or "Not known", str(suppress(n)))
        for name, n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]


def _theme_page(found: Theme, problem: tuple[str, str] | None = None) -> ResponseReturnValue:
    """Show a theme; after a refused change, with the message and everything that was typed."""
    statements = themes.statements_of(get_session(), found)
    others = [t for t in runs.visible_themes(get_session(), found.run_id) if t.id != found.id]
    return render_template(
        "themes/theme.html",
        theme=found,
        quotes=themes.quotes_of(get_session(), found),
        summary=themes.summary_of(get_session(), found),
        tone_quotes=themes.tone_quotes_of(get_session(), found),
        split=themes.polarity_split(statements),
        others=others,
        by_stream=suppressed(themes.breakdown(statements, "stream")),
        by_sector=suppressed(themes.breakdown(statements, "sector")),
        suggestion=board.suggest_placement(get_session(), found),
        problem=problem,
        errors=[{"text": problem[1], "href": f"#{problem[0]}"}] if problem else [],
        typed=request.form if problem else MultiDict(),
    ), 400 if problem else 200


@bp.get("/themes/<int:theme_id>")
@quality_group
def theme(theme_id: int) -> ResponseReturnValue:
    return _theme_page(_theme(theme_id))


@bp.get("/themes/<int:theme_id>/statements")
@quality_group
def statements(theme_id: int) -> ResponseReturnValue:
    found = _theme(theme_id)
    record_audit(
        get_session(),
        user_id=g.user.id,
        action="theme.statements_viewed",
        object_type="theme",
        object_id=found.id,
    )
    get_session().commit()
    others = [t for t in runs.visible_themes(get_session(), found.run_id) if t.id != found.id]
    return render_template(
        "themes/statements.html",
        theme=found,
        others=others,
        statements=themes.statements_of(get_session(), found),
    )


def _edit(action: str, theme_id: int, form: GovForm) -> None:
    session, user = get_session(), g.user
    if isinstance(form, RenameForm):
        theme_edits.rename_theme(session, theme_id, form.label.data or "", edited_by=user)
    elif isinstance(form, MergeForm):
        theme_edits.merge_themes(session, theme_id, form.others.data, edited_by=user)
    elif isinstance(form, MoveStatementsForm):
        target = int(form.to_theme.data or "")
        theme_edits.move_statements(session, form.statements.data, target, edited_by=user)
    elif action == "discard":
        theme_edits.discard_theme(session, theme_id, edited_by=user)
    else:
        _split(theme_id)


def _split(theme_id: int) -> None:
    from flask import current_app

    from learning.theming_job import build_pipeline
    from surveys import tenancy

    sessions = tenancy.sessions_like(get_session())  # the embeddings cache is per partnership
    theme_split.split_theme(
        get_session(),
        theme_id,
        edited_by=g.user,
        pipeline_factory=lambda: build_pipeline(  # a web process never loads a model
            sessions, embedder=current_app.config["THEMING_EMBEDDER"], stored_vectors_only=True
        ),
    )


@bp.post("/themes/<int:theme_id>/<action>")
@quality_group
def edit(theme_id: int, action: str) -> ResponseReturnValue:
    found = _theme(theme_id)
    form = EDIT_FORMS[action]() if action in EDIT_FORMS else abort(404)
    problem = None if form.validate_on_submit() else first_problem(form)
    if problem is None:
        try:
            _edit(action, found.id, form)
        except errors.LearningError as error:
            problem = ("", str(error))
    if problem is not None:
        if action in ("rename", "merge"):  # forms with typed or chosen values to keep
            return _theme_page(found, ("label" if action == "rename" else "merge", problem[1]))
        flash(problem[1], "error")
        return redirect(url_for("themes.theme", theme_id=found.id))
    flash("Your change has been saved. You can undo it from the run’s list of changes")
    if action in ("discard", "split"):
        return redirect(url_for("themes.run", run_id=found.run_id))
    return redirect(url_for("themes.theme", theme_id=found.id))


@bp.post("/edits/<int:edit_id>/undo")
@quality_group
def undo(edit_id: int) -> ResponseReturnValue:
    try:
        done = theme_edits.undo_edit(get_session(), edit_id, undone_by=g.user)
    except errors.LearningError as error:
        flash(str(error), "error")
        return redirect(url_for("themes.home"))
    flash("The change has been undone")
    return redirect(url_for("themes.run", run_id=done.run_id))


@bp.post("/themes/<int:theme_id>/log")
@quality_group
def to_log(theme_id: int) -> ResponseReturnValue:
    entry = log.create_entry_from_theme(get_session(), _theme(theme_id).id, created_by=g.user)
    flash("A learning log entry has been made from this theme. Check and complete it")
    return redirect(url_for("log.entry", entry_id=entry.id))


@bp.post("/themes/<int:theme_id>/board")
@quality_group
def to_board(theme_id: int) -> ResponseReturnValue:
    found = _theme(theme_id)
    form = PlaceForm()
    problem = None if form.validate_on_submit() else first_problem(form)
    if problem is None:
        try:
            board.place_on_board(
                get_session(),
                lineage_key=found.lineage_key,
                column=form.column.data or "",
                decided_by=g.user,
                why=form.why.data or "",
            )
        except errors.LearningError as error:
            problem = ("why", str(error))
    if problem is not None:
        return _theme_page(found, ("why", problem[1]))
    flash(f"“{found.label}” has been placed on the board")
    return redirect(url_for("board.index"))
