"""Ratings by organisation and standard: a cycle's organisations by its standards, side by side.
(Moderation, change since last cycle, filters and suppression: test_partnership_view.py.)"""

from __future__ import annotations

import random
import re
from datetime import timedelta

from demo.answers import generate_answers
from surveys import cycles, ratings, responses
from surveys.loader import load_definitions
from surveys.models import utcnow
from tests import factories
from tests.integration.webapp.test_assessments import as_user

SECTION_11 = load_definitions().latest("section-11")
RATED = [
    (page, ratings.rating_question(page.questions))
    for page in SECTION_11.pages
    if page.standard and ratings.rating_question(page.questions)
]


def test_each_organisation_s_rating_of_each_standard_is_in_its_cell(app, db_session, admin):
    police = factories.OrganisationFactory(name="Shire Police")
    council = factories.OrganisationFactory(name="Shire Council")
    now = utcnow()
    cycle = cycles.publish_cycle(
        db_session,
        SECTION_11,
        cycles.NewCycle(
            "S11", now - timedelta(days=2), now + timedelta(days=9), (police.id, council.id)
        ),
        created_by=None,
    )
    answers = generate_answers(SECTION_11, rng=random.Random(5))
    first, second = RATED[0][1], RATED[1][1]
    levels = first.scale.levels
    answers[first.id] = ratings.rating_answer(first, levels[0].value)
    answers[second.id] = ratings.rating_answer(second, ratings.NOT_APPLICABLE)
    responses.record_submitted_response(
        db_session,
        cycle,
        SECTION_11,
        responses.CompleteResponse(answers, submitted_at=now, organisation_id=police.id),
    )
    db_session.commit()

    page = as_user(app, db_session, admin).get(f"/findings/cycles/{cycle.id}")
    assert page.status_code == 200
    rows = grid_rows(page.text)
    assert rows["Shire Police"][:4] == ["Health", "Submitted", f"{levels[0].label} New", "N/A New"]
    assert len(rows["Shire Police"]) == 2 + len(RATED)
    assert rows["Shire Council"] == ["Health", "Not started"] + ["–"] * len(RATED)
    standard = RATED[0][0].standard
    assert f"{standard.ref}: {standard.title}</a></li>" in page.text  # what each column is
    assert f'<th scope="col" class="govuk-table__header">{standard.ref}</th>' in page.text


def grid_rows(html: str) -> dict[str, list[str]]:
    """The grid's rows by organisation: each cell's text, tags and hidden words left out."""
    table = html.split("Each organisation’s rating of each standard</caption>")[1]
    table = table.split("</table>")[0]
    rows = {}
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, re.S)[1:]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        text = [
            " ".join(
                re.sub(
                    r"<[^>]+>",
                    " ",
                    re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", c),
                ).split()
            )
            for c in cells
        ]
        rows[text[0]] = text[1:]
    return rows
