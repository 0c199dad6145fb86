"""Leaving cleanly: export everything partnership A owns, delete it, and B is untouched.

Two partnerships share an organisation (Shared Police), a person (a quality group member of
both) and one stored evidence file (copies of a shared return). `tests/integration/
test_partnership_exit_postgres.py` runs the same checks on PostgreSQL with row-level security.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import learning.models  # noqa: F401 - registers the learning tables on Base
from learning.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Embedding,
    EntryOrganisation,
    Theme,
    ThemeFate,
    ThemeStatement,
)
from surveys import accounts, leaving, tenancy
from surveys.errors import NotExportedRecently, PartnershipExitRefused
from surveys.models import (
    AuditEvent,
    Base,
    Challenge,
    ChallengeKind,
    CycleReviewer,
    EvidenceFile,
    FollowUpRequest,
    MeetingKind,
    Membership,
    Organisation,
    OrganisationPartnership,
    Partnership,
    PartnershipOwned,
    ResponseChange,
    ResponseVersion,
    ReturnReview,
    Role,
    StandardReview,
    TraineeFollowUp,
    User,
    utcnow,
)
from tests import factories
from tests.conftest import in_new_partnership, inspect_session, make_app

SHARED_FILE = "s" * 32  # one stored file named by an evidence row of each partnership


@dataclass
class Worlds:
    """Partnerships A and B on one database, their people and the ids tests look for."""

    app: Flask
    session: Session  # works in no partnership between steps
    a: int
    b: int
    people: dict[str, User]  # "a_admin", "a_only", "both", "named_by_b", "b_admin", ...
    ids: dict[str, Any] = field(default_factory=dict)

    @property
    def evidence(self) -> Path:
        return Path(self.app.config["DATA_FOLDER"]) / "evidence"


def owned_in_registry() -> list[type[Any]]:
    """Every partnership-owned model, straight from the registry (not from the service)."""
    return sorted(
        (m.class_ for m in Base.registry.mappers if issubclass(m.class_, PartnershipOwned)),
        key=lambda model: model.__tablename__,
    )


def build_worlds(app: Flask) -> Worlds:
    """A and B: cycles, responses, evidence, a run with themes, log, board, actions each."""
    session = inspect_session(app)  # works in the partnership make_app created
    factories.bind(session)
    a = tenancy.partnership_of(session)
    session.get(Partnership, a).name = "Alpha Partnership"
    session.commit()
    shared = factories.OrganisationFactory(name="Shared Police")
    alpha = factories.OrganisationFactory(name="Alpha Agency")
    people = {
        "a_admin": factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None),
        "a_only": factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None),
        "both": factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None),
        "named_by_b": factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None),
    }
    ids = {"a": factories.collection_world(session, alpha, stored_name="a" * 32)}
    ids["a"].update(factories.learning_world(session, shared, people["a_only"], lineage_key="la"))
    _fill_every_table(session, ids["a"], alpha, people["a_only"])
    session.add(_evidence_copy(ids["a"]["response_id"]))
    session.commit()

    b = tenancy.partnership_of(in_new_partnership(session))
    session.get(Partnership, b).name = "Beta Partnership"
    session.add(OrganisationPartnership(organisation_id=shared.id, partnership_id=b))
    session.add(Membership(user_id=people["both"].id, partnership_id=b, role=Role.QUALITY_GROUP))
    session.commit()
    beta = factories.OrganisationFactory(name="Beta Agency")
    people |= {
        "b_admin": factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None),
        "b_quality": factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None),
        "b_lead": factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=shared),
        "b_dsl": factories.UserFactory(role=Role.SAFEGUARDING_LEAD, organisation=None),
    }
    ids["b"] = factories.collection_world(session, shared, stored_name="b" * 32)
    ids["b"].update(factories.learning_world(session, beta, people["b_quality"], lineage_key="lb"))
    _fill_every_table(session, ids["b"], beta, people["b_quality"])
    session.add(_evidence_copy(ids["b"]["response_id"]))
    # a person who has left B (their membership is A's only) still wrote one of B's updates
    session.add(
        ActionUpdate(
            action_id=ids["b"]["action_id"],
            text="Done",
            status=ActionStatus.DONE,
            written_by_id=people["named_by_b"].id,
        )
    )
    session.commit()
    session.info.pop(tenancy.SCOPE)
    worlds = Worlds(app, session, a, b, people, ids)
    worlds.evidence.mkdir(parents=True, exist_ok=True)
    for name in ("a" * 32, "b" * 32, SHARED_FILE):
        (worlds.evidence / name).write_bytes(b"%PDF-1.4 " + name[:1].encode() * 8)
    return worlds


def _evidence_copy(response_id: int) -> EvidenceFile:
    return EvidenceFile(
        response_id=response_id,
        question_id="q",
        stored_name=SHARED_FILE,
        filename="shared return.pdf",
        content_type="application/pdf",
        size=17,
    )


def _fill_every_table(
    session: Session, ids: dict[str, Any], org: Organisation, person: User
) -> None:
    """Rows for the owned tables the worlds above leave empty (history, lineage, cache...)."""
    from learning import log

    now = utcnow()
    response_id, run_id, theme_id = ids["response_id"], ids["run_id"], ids["theme_id"]
    session.add_all(
        [
            ResponseVersion(response_id=response_id, number=1, answers={}, submitted_at=now),
            ResponseChange(response_id=response_id, version=2, page_id="p", question_ids=["q"]),
            FollowUpRequest(response_id=response_id, email="trainee@example.org", due_at=now),
            ThemeStatement(
                run_id=run_id,
                theme_id=theme_id,
                response_id=response_id,
                question_id="q",
                text="Waiting lists are long",
                stream="section-11",
                cycle_id=ids["cycle_id"],
            ),
            ThemeFate(run_id=run_id, previous_theme_id=theme_id, status="gone"),
            ActionUpdate(action_id=ids["action_id"], text="Begun", status=ActionStatus.IN_PROGRESS),
            Embedding(model="hashing-512", text_hash="0" * 64, vector=b"\0" * 8),
            EntryOrganisation(entry_id=ids["entry_id"], organisation_id=org.id),
        ]
    )
    session.commit()
    log.link_theme(session, ids["entry_id"], theme_id)
    # case reviews: the review, its meeting, case details (exported: see surveys/leaving),
    # a deadline alert, an information return and a recommendation turned into an action
    ids.update(factories.review_world(session, org, person))
    # case audits: a programme, a day, a case with its audit tool, a finding in the learning
    # log, and a triaged practice concern
    ids.update(factories.audit_world(session, org, person))
    # national reviews: a review, a finding answered by the organisation, its gap an action
    ids.update(factories.national_world(session, org, person))
    _fill_national_action(session, ids, org, person)
    # training: a course, a session with its link, an attendee, a trainee's follow-up chain
    ids.update(factories.training_world(session, org))
    session.add(
        TraineeFollowUp(
            session_id=ids["session_id"],
            evaluation_id=ids["response_id"],
            person_key="0" * 64,
            email="",
            due_at=now,
        )
    )
    session.commit()
    # reports: the quality group's written sections of a six-monthly report, signed off
    from learning import narratives
    from learning.models import ReportKind
    from learning.period import Period

    half_year = Period(date(2026, 4, 1), date(2026, 9, 30))
    text = narratives.NarrativeText(summary="Escalation is our first priority")
    narratives.save_narrative(session, ReportKind.SIX_MONTHLY, half_year, text, edited_by=person)
    signed = narratives.SignOff("Sam Chair", "Independent Chair", date(2026, 10, 15))
    narratives.sign_off(session, ReportKind.SIX_MONTHLY, half_year, signed, recorded_by=person)
    _fill_scrutiny(session, ids, org)


def _fill_national_action(
    session: Session, ids: dict[str, Any], org: Organisation, person: Any
) -> None:
    from datetime import date

    from learning import national_review_actions

    national_review_actions.action_from_gap(
        session,
        ids["national_id"],
        ids["national_finding_id"],
        org.id,
        due_date=date(2030, 1, 1),
        description="Cover weekends",
        created_by=person,
    )


def _fill_scrutiny(session: Session, ids: dict[str, Any], org: Organisation) -> None:
    """A return's review, a standard's, a challenge, a named reviewer, a meeting's outcome."""
    from surveys.scrutiny import meetings

    response_id = ids["response_id"]
    someone = session.scalar(
        select(Membership.user_id).where(
            Membership.partnership_id == tenancy.partnership_of(session)
        )
    )
    session.add_all(
        [
            ReturnReview(response_id=response_id, feedback="Thorough"),
            StandardReview(response_id=response_id, standard_ref="S11-1"),
            Challenge(
                response_id=response_id,
                organisation_id=org.id,
                standard_ref="S11-1",
                kind=ChallengeKind.QUESTION,
                question="Which board?",
            ),
            CycleReviewer(cycle_id=ids["cycle_id"], user_id=someone),
        ]
    )
    session.commit()
    # the learning world's action becomes the return's action plan, from the challenge, agreed
    action = session.get(Action, ids["action_id"])
    action.response_id, action.standard_ref = response_id, "S11-1"
    action.challenge_id = session.scalar(
        select(Challenge.id).where(Challenge.response_id == response_id)
    )
    action.agreed_at, action.agreed_by_id = utcnow(), someone
    session.commit()
    new = meetings.NewMeeting(MeetingKind.CHALLENGE, date(2026, 11, 3), "Chair", (org.id,))
    meetings.record_meeting(session, new, recorded_by=None)


def counts(session: Session, partnership_id: int) -> dict[str, int]:
    """Rows of the partnership in every owned table, counted system-wide."""
    with tenancy.every_partnership(session):
        found = {
            model.__tablename__: session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.partnership_id == partnership_id)
            )
            for model in owned_in_registry()
        }
    session.rollback()
    return found


def export_a(worlds: Worlds, tmp_path: Path) -> tuple[leaving.ExportSummary, zipfile.ZipFile]:
    summary = leaving.export_partnership(
        worlds.session, worlds.a, to=tmp_path / "alpha.zip", evidence_folder=worlds.evidence
    )
    return summary, zipfile.ZipFile(summary.path)


# -- the checks, shared with the PostgreSQL tests ----------------------------------------------


def check_export_holds_a_and_none_of_b(worlds: Worlds, tmp_path: Path) -> None:
    expected = counts(worlds.session, worlds.a)
    summary, archive = export_a(worlds, tmp_path)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["partnership"] == {"id": worlds.a, "name": "Alpha Partnership"}
    by_table = {f["table"]: f for f in manifest["files"] if "table" in f}
    for table, rows in expected.items():
        assert by_table[table]["rows"] == rows, table
        assert {row["partnership_id"] for row in _rows(archive, by_table[table]["path"])} <= {
            str(worlds.a),
            worlds.a,
        }
    entry_orgs = _rows(archive, by_table["learning_entry_organisations"]["path"])
    assert [int(r["entry_id"]) for r in entry_orgs] == [worlds.ids["a"]["entry_id"]]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    organisations = {r["name"] for r in _rows(archive, "organisations.csv")}
    assert organisations == {"Shared Police", "Alpha Agency"}
    emails = {r["email"] for r in _rows(archive, "people.csv")}
    assert worlds.people["both"].email in emails and worlds.people["a_only"].email in emails
    for name in ("b_admin", "b_quality", "b_lead"):
        assert worlds.people[name].email.encode() not in everything
    assert b"Beta" not in everything and b"lb" not in archive.read("tables/themes.jsonl")
    evidence = {n: archive.read(n) for n in archive.namelist() if n.startswith("evidence/")}
    assert sorted(evidence.values()) == [b"%PDF-1.4 aaaaaaaa", b"%PDF-1.4 ssssssss"]
    assert f"evidence/{worlds.ids['a']['file_id']}-e.pdf" in evidence
    assert summary.evidence_files == 2 and summary.missing_evidence_ids == []
    readme = archive.read("README.txt").decode()
    assert "Alpha Partnership" in readme and "tables/responses.jsonl" in readme
    # case details are the partnership's records of its reviews: exported, flagged restricted
    assert [r["child_name"] for r in _rows(archive, "tables/case_details.csv")] == ["Child Name"]
    assert by_table["case_details"].get("restricted") is True
    assert "RESTRICTED FILES" in readme and "tables/case_details.csv" in readme


def check_delete_a_leaves_b_whole(worlds: Worlds) -> None:
    session = worlds.session
    people = {name: person.id for name, person in worlds.people.items()}
    b_before = counts(session, worlds.b)
    summary = leaving.delete_partnership(session, worlds.a, evidence_folder=worlds.evidence)
    assert set(counts(session, worlds.a).values()) == {0}
    assert counts(session, worlds.b) == b_before
    assert session.get(Partnership, worlds.a) is None
    # people and organisations: only A's go; one that B's records name is kept, inactive
    assert session.get(User, people["a_only"]) is None
    assert session.get(User, people["a_admin"]) is None
    assert session.get(User, people["named_by_b"]).is_active is False
    assert tenancy.home_partnership(session, people["both"]) == worlds.b
    assert (
        session.scalar(select(Organisation.id).where(Organisation.name == "Alpha Agency")) is None
    )
    shared = session.scalar(select(Organisation).where(Organisation.name == "Shared Police"))
    assert session.get(OrganisationPartnership, (shared.id, worlds.b)).is_active  # B's still
    assert summary.people_deleted == 2 and summary.people_deactivated == 1
    assert (summary.organisations_deleted, summary.organisations_deactivated) == (1, 0)
    # files: A's own goes; B's own and the one both name stay
    assert sorted(p.name for p in worlds.evidence.iterdir()) == ["b" * 32, SHARED_FILE]
    assert (summary.evidence_files_removed, summary.evidence_files_kept) == (1, 1)
    with tenancy.every_partnership(session):
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "partnership.deleted")
        ).one()
    assert (event.partnership_id, event.object_id) == (None, str(worlds.a))
    assert re.fullmatch(r"rows=\d+", event.detail)
    session.rollback()
    check_b_pages_answer(worlds)


def check_b_pages_answer(worlds: Worlds) -> None:
    """B's people still use B: their pages, B's objects, the shared organisation's return."""
    b = worlds.ids["b"]
    pages = {
        "b_admin": ["/admin/cycles", f"/admin/cycles/{b['cycle_id']}", "/admin/organisations"],
        "b_quality": ["/quality", f"/quality/runs/{b['run_id']}", "/learning-log", "/board"],
        "both": ["/quality", "/actions"],
        "b_lead": ["/assessments", "/actions"],
        "b_dsl": ["/safeguarding"],
    }
    for person, urls in pages.items():
        client = signed_in(worlds, person)
        for url in urls:
            assert client.get(url).status_code == 200, (person, url)
    page = signed_in(worlds, "b_lead").get("/assessments").text
    assert "S11 2026" in page  # Shared Police's return to B


def signed_in(worlds: Worlds, person: str) -> Any:
    """A test client signed in as one of B's people (sign-in is audited in B)."""
    client = worlds.app.test_client()
    with tenancy.working_in(worlds.session, worlds.b):
        token = accounts.start_session(worlds.session, worlds.people[person])
    with client.session_transaction() as cookie:
        cookie["token"] = token
    return client


def _rows(archive: zipfile.ZipFile, path: str) -> list[dict[str, Any]]:
    text = archive.read(path).decode("utf-8-sig")
    if path.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines()]
    import csv

    return list(csv.DictReader(text.splitlines()))


# -- SQLite --------------------------------------------------------------------------------


@pytest.fixture
def worlds() -> Worlds:
    worlds = build_worlds(make_app())
    yield worlds
    worlds.session.close()


def test_export_holds_a_rows_and_files_and_none_of_bs(worlds, tmp_path):
    check_export_holds_a_and_none_of_b(worlds, tmp_path)


def test_deleting_a_leaves_b_its_rows_pages_shared_organisation_and_shared_file(worlds, tmp_path):
    export_a(worlds, tmp_path)
    check_delete_a_leaves_b_whole(worlds)


def test_every_owned_table_is_exported_and_deleted(worlds, tmp_path):
    """Walks the registry: a new owned table must appear here with rows, or this fails."""
    before = counts(worlds.session, worlds.a)
    empty = sorted(table for table, rows in before.items() if rows == 0)
    assert empty == [], f"give partnership A rows in {empty} (_fill_every_table) to prove them"
    exported, _ = export_a(worlds, tmp_path)
    after_export = counts(worlds.session, worlds.a)  # the export's own audit event too
    deleted = leaving.delete_partnership(worlds.session, worlds.a, evidence_folder=worlds.evidence)
    for table, rows in before.items():
        assert exported.rows.get(table) == rows, f"{table} not exported"
        assert deleted.rows.get(table) == after_export[table], f"{table} not deleted"
    assert set(counts(worlds.session, worlds.a).values()) == {0}


def test_deleting_needs_an_export_from_the_last_24_hours(worlds, tmp_path):
    with pytest.raises(NotExportedRecently):
        leaving.delete_partnership(worlds.session, worlds.a, evidence_folder=worlds.evidence)
    export_a(worlds, tmp_path)
    before = counts(worlds.session, worlds.a)
    with tenancy.every_partnership(worlds.session):
        worlds.session.execute(
            update(AuditEvent)
            .where(AuditEvent.action == "partnership.exported")
            .values(occurred_at=utcnow() - timedelta(hours=25))
        )
        worlds.session.commit()
    with pytest.raises(NotExportedRecently):
        leaving.delete_partnership(worlds.session, worlds.a, evidence_folder=worlds.evidence)
    assert counts(worlds.session, worlds.a) == before
    leaving.delete_partnership(
        worlds.session, worlds.a, evidence_folder=worlds.evidence, require_recent_export=False
    )
    assert set(counts(worlds.session, worlds.a).values()) == {0}


def test_a_partnership_whose_rows_another_points_at_is_not_deleted(worlds):
    """A row of B naming a row of A (which no page makes today) stops the deletion whole."""
    session = worlds.session
    tenancy.work_in(session, worlds.b)
    session.add(
        ActionUpdate(action_id=worlds.ids["a"]["action_id"], text="x", status=ActionStatus.DONE)
    )
    session.commit()
    session.info.pop(tenancy.SCOPE)
    before = counts(session, worlds.a)
    with pytest.raises(PartnershipExitRefused, match="action_updates"):
        leaving.delete_partnership(
            session, worlds.a, evidence_folder=worlds.evidence, require_recent_export=False
        )
    assert counts(session, worlds.a) == before
    assert (worlds.evidence / ("a" * 32)).exists()


def test_the_commands_export_then_delete_with_the_exact_name(worlds, tmp_path):
    with worlds.app.app_context():  # as `flask` gives every command
        check_commands(worlds, tmp_path)


def check_commands(worlds: Worlds, tmp_path: Path) -> None:
    runner = worlds.app.test_cli_runner()
    name, path = "Alpha Partnership", tmp_path / "alpha.zip"
    refused = runner.invoke(args=["delete-partnership", name, "--confirm", name])
    assert refused.exit_code != 0 and "--without-export" in refused.output
    assert "not been exported in the last 24 hours" in refused.output
    exported = runner.invoke(args=["export-partnership", name, "--to", str(path)])
    assert exported.exit_code == 0, exported.output
    assert zipfile.ZipFile(path).testzip() is None
    again = runner.invoke(args=["export-partnership", name, "--to", str(path)])
    assert again.exit_code != 0 and "already exists" in again.output
    mistyped = runner.invoke(args=["delete-partnership", name, "--confirm", "Alpha partnership"])
    assert mistyped.exit_code != 0 and "Nothing was deleted" in mistyped.output
    assert worlds.session.get(Partnership, worlds.a) is not None
    deleted = runner.invoke(args=["delete-partnership", name, "--confirm", name])
    assert deleted.exit_code == 0, deleted.output
    worlds.session.expire_all()
    assert worlds.session.get(Partnership, worlds.a) is None
    unknown = runner.invoke(args=["export-partnership", name, "--to", str(tmp_path / "x.zip")])
    assert unknown.exit_code != 0 and "No partnership is called" in unknown.output


def test_export_cells_cannot_run_as_formulas(worlds, tmp_path):
    session = worlds.session
    tenancy.work_in(session, worlds.a)
    session.execute(update(ThemeStatement).values(text="=1+2"))
    session.execute(update(Theme).values(label="=HYPERLINK(1)"))
    session.execute(
        update(Organisation).where(Organisation.name == "Alpha Agency").values(name="@x")
    )
    session.commit()
    session.info.pop(tenancy.SCOPE)
    _, archive = export_a(worlds, tmp_path)
    assert [s["text"] for s in _rows(archive, "tables/theme_statements.csv")] == ["'=1+2"]
    assert "'@x" in {r["name"] for r in _rows(archive, "organisations.csv")}
    labels = {t["label"] for t in _rows(archive, "tables/themes.jsonl")}
    assert labels == {"=HYPERLINK(1)"}  # JSON lines are data, never opened as a sheet


def test_learning_log_dates_are_written_as_iso_dates(worlds, tmp_path):
    _, archive = export_a(worlds, tmp_path)
    entries = _rows(archive, "tables/learning_entries.csv")
    dates = [e["entry_date"] for e in entries]  # the world's entry, and an audit finding's
    assert date(2026, 3, 1).isoformat() in dates
    assert all(date.fromisoformat(d).isoformat() == d for d in dates)
