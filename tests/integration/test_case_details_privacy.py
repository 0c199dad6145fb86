"""A child's case details never leave their restricted page: not in themes, exports, the API,
reports, emails or the log. Agencies' information returns stay with their review too."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select

from learning.selection import Selection, collect
from surveys.api_tokens import create_api_token
from surveys.case_reviews import details
from surveys.loader import load_definitions
from surveys.models import Cycle, Response, Role, utcnow
from tests import factories
from tests.conftest import post_with_csrf
from webapp.tasks import send_review_alerts

CHILD = "Zebedee Quillfeather"
ADDRESS = "17 Canary Row, Riverside RV9 9ZZ"
ETHNICITY = "Canarian Islander"
CANARIES = (CHILD, ADDRESS, ETHNICITY, "2019-04-23", "23 April 2019")
IN_RETURN = "Seen by the canary health visitor twice"


def test_case_details_reach_no_theme_export_report_api_email_or_log(
    app, client, login_as, db_session, smtp_server, caplog
):
    caplog.set_level(logging.DEBUG)
    app.config.update(MAIL_PORT=smtp_server.port)
    police = factories.OrganisationFactory(name="Riverside Police")
    officer = factories.UserFactory(role=Role.CASE_REVIEWER, organisation=None)
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    admin = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    ids = factories.review_world(db_session, police, officer, reference="RR-2026-021")
    info = db_session.get(Response, ids["information_id"])
    info.answers = {**info.answers, "involvement": IN_RETURN}
    db_session.commit()

    # The case review officer records the details through the page, and reads them back.
    login_as(officer)
    url = f"/reviews/{ids['review_id']}/case-details"
    posted = post_with_csrf(
        client,
        url,
        {
            "child_name": CHILD,
            "address": ADDRESS,
            "ethnicity": ETHNICITY,
            "date_of_birth-day": "23",
            "date_of_birth-month": "4",
            "date_of_birth-year": "2019",
            "remove_on-day": "1",
            "remove_on-month": "1",
            "remove_on-year": str(utcnow().year + 8),
        },
    )
    assert posted.status_code == 302
    assert CHILD in client.get(url).text  # the one place they show: proves the canary is there
    assert CHILD not in client.get(f"/reviews/{ids['review_id']}").text

    # Themes: what a theming run reads holds neither the details nor the information return.
    answers = collect(db_session, Selection(), load_definitions()).answers
    assert all(a.response_id != info.id for a in answers)
    assert not any(c in a.text for a in answers for c in (*CANARIES, IN_RETURN))

    # Exports and reports, as the quality group and the admin download them.
    login_as(quality)
    downloads = [
        client.get("/learning-log?format=csv"),
        client.get("/learning-log?format=xlsx"),
        client.get("/reports/six-monthly"),
        client.get(f"/reviews/{ids['review_id']}"),
        client.get("/reviews"),
    ]
    login_as(admin)
    for cycle in db_session.scalars(select(Cycle)):
        for path in ("export.csv?layout=long", "export.csv", "export.xlsx"):
            downloads.append(client.get(f"/admin/cycles/{cycle.id}/{path}"))
    assert all(d.status_code == 200 for d in downloads), [d.status_code for d in downloads]
    for download in downloads:
        assert not any(c.encode() in download.data for c in CANARIES)

    # The API: no case details, and the information returns are not served at all.
    _, raw = create_api_token(db_session, "Dashboard", created_by=admin.id)
    headers = {"Authorization": f"Bearer {raw}"}
    listed = client.get("/api/v1/cycles", headers=headers)
    assert info.cycle_id not in {c["id"] for c in listed.json["data"]}
    served = [listed, client.get("/api/v1/case-reviews", headers=headers)]
    served.append(client.get("/api/v1/audit-findings", headers=headers))
    assert served[1].json["data"][0]["reference"] == "RR-2026-021"  # the review is served
    served += [
        client.get(f"/api/v1/cycles/{c['id']}/responses", headers=headers)
        for c in listed.json["data"]
    ]
    assert (
        client.get(f"/api/v1/cycles/{info.cycle_id}/responses", headers=headers).status_code == 404
    )
    assert client.get(f"/api/v1/responses/{info.id}", headers=headers).status_code == 404
    for answer in served:
        assert answer.status_code == 200
        assert not any(c.encode() in answer.data for c in (*CANARIES, IN_RETURN))

    # Deadline emails, and the removal job, name the review by its reference only.
    assert send_review_alerts(app, today=utcnow().date() + timedelta(days=60)) >= 1
    for email in smtp_server.wait_for(1):
        assert "RR-2026-021" in email["Subject"]
        assert not any(c in email.as_string() for c in CANARIES)
    details.remove_due_details(db_session, date(utcnow().year + 9, 1, 1))

    logged = caplog.text + "".join(str(r.args) + str(r.__dict__) for r in caplog.records)
    assert caplog.records  # the flow did log (ids and counts)
    assert not any(c in logged for c in (*CANARIES, IN_RETURN))
