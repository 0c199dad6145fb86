"""Evidence uploads: a refused file is a message on its field, and the hint lists what is taken."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from surveys.definition import QuestionType
from surveys.evidence import ALLOWED, MAX_BYTES
from surveys.loader import load_definitions
from surveys.models import EvidenceFile, Response
from surveys.validators import FileRules
from tests.conftest import csrf_from
from tests.integration.webapp import test_assessments
from tests.integration.webapp.test_assessments import FIRST, as_user, page_data, start

team = test_assessments.team  # the fixture: an organisation's lead and a Section 11 cycle

FILE_QUESTION = next(q for q in FIRST.questions if q.type is QuestionType.FILE)
PAGE_ERROR = "govuk-error-message"


def _upload(client, cycle, content: bytes, filename: str, **extra: str):
    url = f"/assessments/{cycle.id}/{FIRST.id}"
    html = client.get(url).text
    return client.post(
        url,
        data={
            **page_data(FIRST),
            **extra,
            "csrf_token": csrf_from(html),
            FILE_QUESTION.id: (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _field_error(html: str) -> str:
    match = re.search(rf'id="{FILE_QUESTION.id}-error"[^>]*>(.*?)</p>', html, flags=re.DOTALL)
    assert match, "the file field shows no error message"
    return " ".join(re.sub("<[^>]+>", " ", match.group(1)).split())


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"MZ\x90\x00 not a pdf", "minutes.pdf", "do not match its type"),
        (b"\xd0\xcf\x11\xe0 old word", "minutes.doc", "must be a PDF"),
        (b"%PDF-" + b"x" * MAX_BYTES, "huge.pdf", "smaller than 10MB"),
    ],
)
def test_a_refused_file_is_a_400_with_the_message_on_its_field(
    app, db_session, team, content, filename, message
):
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    refused = _upload(lee, cycle, content, filename)
    assert refused.status_code == 400
    assert "There is a problem" in refused.text  # the error summary
    assert message in _field_error(refused.text)
    assert "Someone else" not in refused.text and "saved this page" not in refused.text
    assert db_session.scalar(select(EvidenceFile)) is None
    stored = db_session.scalar(select(Response))
    db_session.refresh(stored)
    assert FILE_QUESTION.id not in (stored.answers or {})


def test_an_opendocument_file_the_hint_promises_is_stored(app, db_session, team):
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    assert _upload(lee, cycle, _odt(), "policy.odt").status_code == 302
    assert db_session.scalar(select(EvidenceFile)).content_type.endswith("opendocument.text")


def test_every_file_question_offers_and_names_only_types_the_server_stores():
    named_in_hint = re.compile(r"\b[A-Z]{3,4}\b")
    for definition in load_definitions().latest_definitions():
        for page in definition.pages:
            for question in page.questions:
                if question.type is not QuestionType.FILE:
                    continue
                offered = set(FileRules(question).types)  # the accept list and the message
                assert offered <= set(
                    ALLOWED
                )  # what the server stores, (definition.key, question.id)
                named = {kind.lower() for kind in named_in_hint.findall(question.hint or "")}
                named -= {"mb"}
                assert named <= offered, (definition.key, question.id, named - offered)


def test_a_page_posted_with_a_version_that_is_not_a_number_is_a_400(app, db_session, team):
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    url = f"/assessments/{cycle.id}/{FIRST.id}"
    for version in ("abc", "1e3", "-1", "9" * 40):
        html = lee.get(url).text
        answer = lee.post(
            url, data={**page_data(FIRST), "csrf_token": csrf_from(html), "loaded_version": version}
        )
        assert answer.status_code == 400, version
        assert "There is a problem with your request" in answer.text
    stored = db_session.scalar(select(Response))
    db_session.refresh(stored)
    assert not stored.answers  # nothing was saved
