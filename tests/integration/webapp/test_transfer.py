"""Exports, import and the API through the web app, as the partnership admin uses them."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from surveys import cycles
from surveys.api_tokens import create_api_token
from surveys.loader import load_definitions
from surveys.models import DisclosureFlag, Response, utcnow
from tests.conftest import csrf_from
from tests.integration.webapp.test_respond import complete, submit

WITHHELD = "[withheld: passed to the designated safeguarding lead]"


@pytest.fixture
def answered(client, db_session, admin):
    definition = load_definitions().latest("training-evaluation")
    now = utcnow()
    cycle = cycles.publish_cycle(
        db_session,
        definition,
        cycles.NewCycle("Course feedback", now - timedelta(days=1), now + timedelta(days=7)),
        created_by=None,
    )
    link = cycle.links[0]
    for _ in range(2):
        trainee = client.application.test_client()
        submit(trainee, link, complete(trainee, link))
    flagged = db_session.scalars(select(Response)).first()
    db_session.add(
        DisclosureFlag(
            response_id=flagged.id,
            question_id="do_differently",
            reasons="harm_by_adult",
            review_due_at=now,
        )
    )
    flagged.is_flagged = True
    db_session.commit()
    return cycle


def test_admin_downloads_csv_and_excel_with_flagged_text_withheld(
    client, login_as, admin, answered
):
    login_as(admin)
    wide = client.get(f"/admin/cycles/{answered.id}/export.csv?layout=wide")
    assert wide.status_code == 200 and "attachment" in wide.headers["Content-Disposition"]
    text = wide.data.decode("utf-8-sig")
    assert text.count("\n") == 3  # header and two responses
    assert WITHHELD in text and "Use the escalation policy sooner" in text
    long = client.get(f"/admin/cycles/{answered.id}/export.csv?layout=long").data.decode()
    assert "do_differently" in long
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/admin/cycles/{answered.id}/export.xlsx").data), read_only=True
    )
    cells = [c for row in book["Responses"].iter_rows(values_only=True) for c in row]
    assert WITHHELD in cells


def test_api_needs_a_token_and_withholds_flagged_answers(client, db_session, admin, answered):
    assert client.get("/api/v1/cycles").status_code == 401
    assert (
        client.get("/api/v1/cycles", headers={"Authorization": "Bearer llt_wrong"}).status_code
        == 401
    )
    _, raw = create_api_token(db_session, "Dashboard", created_by=admin.id)
    headers = {"Authorization": f"Bearer {raw}"}
    listed = client.get(f"/api/v1/cycles/{answered.id}/responses?per_page=1", headers=headers)
    assert listed.status_code == 200
    assert listed.json["meta"]["total"] == 2 and len(listed.json["data"]) == 1
    documents = [
        client.get(f"/api/v1/responses/{r.id}", headers=headers).json
        for r in db_session.scalars(select(Response))
    ]
    assert sum(d["answers"].get("do_differently") == WITHHELD for d in documents) == 1
    assert client.get("/api/v1/responses/999", headers=headers).status_code == 404
    assert client.get("/api/v1/cycles/1/responses?page=x", headers=headers).status_code == 400
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.1") and "/cycles" in str(spec["paths"])


def test_revoked_token_stops_working(client, db_session, admin, login_as):
    token, raw = create_api_token(db_session, "Old dashboard", created_by=admin.id)
    login_as(admin)
    page = client.get("/admin/api-tokens").text
    client.post(f"/admin/api-tokens/{token.id}/revoke", data={"csrf_token": csrf_from(page)})
    assert (
        client.get("/api/v1/cycles", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    )


def test_admin_creates_a_token_shown_once(client, db_session, admin, login_as):
    login_as(admin)
    page = client.get("/admin/api-tokens").text
    created = client.post(
        "/admin/api-tokens", data={"name": "ICB dashboard", "csrf_token": csrf_from(page)}
    )
    import re

    raw = re.search(r"llt_[\w-]{40,}", created.text).group(0)
    assert "Copy your new token now" in created.text
    later = client.get("/admin/api-tokens").text
    assert "ICB dashboard" in later and raw not in later and raw[:10] in later


def test_import_previews_problems_then_imports_all_or_nothing(
    client, db_session, admin, login_as, answered
):
    login_as(admin)
    page = client.get(f"/admin/cycles/{answered.id}/import").text
    csv = (
        b"Which sector do you work in?,How relevant was the course to your role?\n"
        b"Police,Very relevant\nHealth,Maybe\n"
    )
    uploaded = client.post(
        f"/admin/cycles/{answered.id}/import",
        data={"csrf_token": csrf_from(page), "file": (io.BytesIO(csv), "other-tool.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    preview = client.get(uploaded.headers["Location"]).text
    assert "Maybe" in preview and "Import 2 responses" not in preview
    before = db_session.scalar(select(func.count(Response.id)))
    client.post(
        uploaded.headers["Location"],
        data={
            "csrf_token": csrf_from(preview),
            "action": "import",
            "map-0": "sector",
            "map-1": "relevance",
        },
    )
    assert db_session.scalar(select(func.count(Response.id))) == before


def test_bad_upload_gets_a_clear_message(client, db_session, admin, login_as, answered):
    login_as(admin)
    page = client.get(f"/admin/cycles/{answered.id}/import").text
    response = client.post(
        f"/admin/cycles/{answered.id}/import",
        data={"csrf_token": csrf_from(page), "file": (io.BytesIO(b"PK\x03\x04junk"), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "There is a problem" in response.text
