"""The six-monthly PDF over the demo: a full first page, and no page ends on a heading."""

from __future__ import annotations

import pytest

from demo.learning import seed_learning
from learning.theming_job import build_pipeline
from surveys import tenancy
from surveys.loader import load_definitions
from surveys.models import utcnow
from tests.integration.reports.pdf_layout import first_page_fill, page_endings
from webapp.database import get_session, session_factory

pytestmark = pytest.mark.demo  # the app's database holds the seeded demo


@pytest.fixture
def demo_report_html(app, db_session) -> str:
    from webapp.reports import views
    from webapp.reports.downloads import print_html

    pipeline = build_pipeline(session_factory(app), embedder="tfidf")
    seed_learning(db_session, load_definitions(), pipeline=pipeline)
    with app.test_request_context():
        tenancy.work_in(get_session(), tenancy.partnership_of(db_session))  # the demo's
        form = views.read_period({}, utcnow().date())
        return print_html(views._six_monthly_document(form))


def test_six_monthly_pdf_has_no_orphaned_heading_and_a_full_first_page(demo_report_html):
    from weasyprint import CSS, HTML

    from webapp.reports import render

    laid_out = HTML(string=demo_report_html, base_url=str(render.STATIC) + "/").render(
        stylesheets=[CSS(filename=str(render.STATIC / "reports.css"))]
    )
    assert len(laid_out.pages) > 5
    orphans = [
        (number, text)
        for number, (is_heading, text) in enumerate(page_endings(laid_out), 1)
        if is_heading
    ]
    assert orphans == []
    assert first_page_fill(laid_out) > 0.8
