"""bigScrollTable writes govukTable's markup itself (for speed): it must render the same table."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from markupsafe import Markup

from tests.conftest import make_app

MACROS = (
    '{% from "macros/table.html" import bigScrollTable %}'
    '{% from "govuk_frontend_jinja/components/table/macro.html" import govukTable %}'
)
CASES: dict[str, dict[str, Any]] = {
    "every option": {
        "caption": "Who has returned <all>",
        "captionClasses": "govuk-table__caption--m",
        "classes": "govuk-!-font-size-16",
        "attributes": {"data-module": "sortable", "id": "returns"},
        "firstCellIsHeader": True,
        "head": [
            {"text": "Organisation"},
            {"text": "Statements", "format": "numeric", "classes": "app-wide"},
            {"html": Markup("<span>Status</span>"), "colspan": 2},
        ],
        "rows": [
            [
                {"text": "Riverside <Police>", "classes": "app-name"},
                {"text": 12, "format": "numeric"},
                {"html": Markup('<a class="govuk-link" href="/r/1">Submitted</a>')},
                {"text": "–", "rowspan": 2, "attributes": {"data-sort": "3"}},
            ],
            [],
            [{"text": "Meadowbank"}, {"text": 0, "format": "numeric"}, {"text": ""}],
        ],
    },
    "plain": {"caption": "Tokens", "head": [{"text": "Name"}], "rows": [[{"text": "a"}]]},
    "no caption or head": {"rows": [[{"text": "a"}, {"text": "b"}]]},
}


def _shape(element: Any) -> tuple[Any, ...]:
    """An element as (tag, attributes, text, children), whitespace and class order aside."""
    attributes = dict(element.attrib)
    if "class" in attributes:
        attributes["class"] = " ".join(sorted(attributes["class"].split()))
    return (
        element.tag,
        sorted(attributes.items()),
        " ".join((element.text or "").split()),
        [_shape(child) for child in element],
        " ".join((element.tail or "").split()),
    )


@pytest.mark.parametrize("params", CASES.values(), ids=CASES.keys())
def test_the_big_table_renders_what_govuk_table_renders(params):
    app = make_app()
    with app.app_context():
        ours = app.jinja_env.from_string(MACROS + "{{ bigScrollTable(params) }}").render(
            params=params
        )
        theirs = app.jinja_env.from_string(MACROS + "{{ govukTable(params) }}").render(
            params=params
        )
    wrapper = lxml.html.fragment_fromstring(ours)
    assert wrapper.get("class") == "app-table-wrapper" and wrapper.get("tabindex") == "0"
    assert wrapper.get("aria-label") == str(params.get("caption", ""))
    (table,) = wrapper
    assert _shape(table) == _shape(lxml.html.fragment_fromstring(theirs))


def test_the_big_table_escapes_html_that_is_not_markup():
    params = {"rows": [[{"html": "<script>alert(1)</script>"}]]}
    app = make_app()
    with app.app_context():
        html = app.jinja_env.from_string(MACROS + "{{ bigScrollTable(params) }}").render(
            params=params
        )
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
