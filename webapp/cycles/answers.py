"""A cycle's answers: download them (CSV wide or long, Excel); import answers from another tool.

Routes on the cycles blueprint: `download_answers`, `import_answers`, `check_import`.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from surveys import exports, importing, spreadsheets
from surveys.audit import record_audit
from surveys.models import Cycle
from webapp.cycles.blueprint import bp, cycle_or_404, training_exporters
from webapp.database import get_session
from webapp.form_pages import data_folder, definition_of
from webapp.queue import after_submission
from webapp.wording import plural

MAX_IMPORT_BYTES = 10 * 1024 * 1024


@bp.get("/<int:cycle_id>/export.<fmt>")
@training_exporters
def download_answers(cycle_id: int, fmt: str) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    definition = definition_of(cycle)
    layout = request.args.get("layout", "wide")
    if fmt not in ("csv", "xlsx") or layout not in ("wide", "long"):
        abort(404)
    if fmt == "xlsx":
        body = exports.export_xlsx(get_session(), cycle, definition)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        header, rows = exports.export_rows(get_session(), cycle, definition, layout=layout)
        body, kind = spreadsheets.write_csv(header, rows), "text/csv; charset=utf-8"
    record_audit(
        get_session(),
        user_id=g.user.id,
        action=f"cycle.exported.{fmt}",
        object_type="cycle",
        object_id=cycle.id,
    )
    get_session().commit()
    name = f"cycle-{cycle.id}-{layout if fmt == 'csv' else 'answers'}.{fmt}"
    return body, 200, {"Content-Type": kind, "Content-Disposition": f"attachment; filename={name}"}


def _uploads() -> Path:
    folder = data_folder() / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.route("/<int:cycle_id>/import", methods=["GET", "POST"])
@training_exporters
def import_answers(cycle_id: int) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    error = None
    if request.method == "POST":
        file = request.files.get("file")
        data = file.read(MAX_IMPORT_BYTES + 1) if file else b""
        name = (file.filename or "") if file else ""
        try:
            if not data:
                raise importing.ImportFileError("Select a CSV or Excel file")
            importing.read_table(name, data)
        except importing.ImportFileError as problem:
            error = str(problem)
        else:
            upload_id = uuid.uuid4().hex
            suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
            (_uploads() / f"{upload_id}{suffix}").write_bytes(data)
            return redirect(url_for("cycles.check_import", cycle_id=cycle.id, upload_id=upload_id))
    errors = [{"text": error, "href": "#file"}] if error else []
    return render_template(
        "cycles/import.html", cycle=cycle, errors=errors, definition=definition_of(cycle)
    ), 400 if error else 200


def _stored(upload_id: str) -> tuple[str, bytes]:
    if len(upload_id) != 32 or not upload_id.isalnum():
        abort(404)
    for suffix in (".csv", ".xlsx"):
        path = _uploads() / f"{upload_id}{suffix}"
        if path.exists():
            return path.name, path.read_bytes()
    abort(404)


@bp.route("/<int:cycle_id>/import/<upload_id>", methods=["GET", "POST"])
@training_exporters
def check_import(cycle_id: int, upload_id: str) -> ResponseReturnValue:
    cycle = cycle_or_404(cycle_id)
    definition = definition_of(cycle)
    name, data = _stored(upload_id)
    rows = importing.read_table(name, data)
    columns = list(rows[0]) if rows else []
    mapping = importing.propose_mapping(columns, definition)
    if request.method == "POST":
        mapping = {c: (request.form.get(f"map-{i}") or None) for i, c in enumerate(columns)}
    try:
        result = importing.preview_import(rows, mapping, definition)
    except importing.ImportFileError as problem:
        return _preview_page(cycle, columns, mapping, None, upload_id, mapping_problem=str(problem))
    if request.method == "POST" and request.form.get("action") == "import" and result.is_ready:
        created = importing.apply_import(get_session(), cycle, result, imported_by=g.user.id)
        after_submission()
        for suffix in (".csv", ".xlsx"):
            (_uploads() / f"{upload_id}{suffix}").unlink(missing_ok=True)
        flash(f"{plural(len(created), 'response')} imported")
        return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    refused = request.form.get("action") == "import"
    return _preview_page(cycle, columns, mapping, result, upload_id, refused=refused)


def _preview_page(
    cycle: Cycle,
    columns: list[str],
    mapping: dict[str, str | None],
    result: importing.ImportPreview | None,
    upload_id: str,
    *,
    mapping_problem: str | None = None,
    refused: bool = False,
) -> ResponseReturnValue:
    """Render the check page, every problem in a GOV.UK error summary (400 once posted)."""
    definition = definition_of(cycle)
    errors = _summary(result, mapping_problem)
    return render_template(
        "cycles/import_preview.html",
        cycle=cycle,
        columns=columns,
        mapping=mapping,
        result=result,
        targets=importing.target_choices(definition),
        upload_id=upload_id,
        errors=errors,
        refused=refused,
    ), 400 if errors and request.method == "POST" else 200


_SUMMARY_ROWS = 10  # the summary names the first problems; the table lists them all


def _summary(result: importing.ImportPreview | None, mapping_problem: str | None) -> list[dict]:
    """Return the error summary's items: the mapping's problem, or the first row problems."""
    if mapping_problem is not None:
        return [{"text": mapping_problem, "href": "#map-0"}]
    if result is None or not result.errors:
        return []
    items = [
        {"text": f"{error.message} (column '{error.column}')" if error.column else error.message,
         "href": "#row-problems"}
        for error in result.errors[:_SUMMARY_ROWS]
    ]  # fmt: skip
    if len(result.errors) > _SUMMARY_ROWS:
        more = len(result.errors) - _SUMMARY_ROWS
        items.append(
            {"text": f"and {plural(more, 'more problem')} in the table", "href": "#row-problems"}
        )
    return items
