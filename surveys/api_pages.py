"""What every paged list of the HTTP API shares: reading one page, and its OpenAPI shape.

paged(session, query, page, per_page) -> (rows, total)
ref(kind, name); page_of(item); list_operation(operation_id, summary, page, extra)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

Document = dict[str, Any]


def paged(session: Session, query: Select[Any], page: int, per_page: int) -> tuple[list[Any], int]:
    """Return one page of the query's rows and how many rows there are in all."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def ref(kind: str, name: str) -> Document:
    """An OpenAPI reference to a component."""
    return {"$ref": f"#/components/{kind}/{name}"}


def page_of(item: str) -> Document:
    """The schema of one page of `item` documents."""
    return {
        "type": "object",
        "required": ["data", "meta", "links"],
        "properties": {
            "data": {"type": "array", "items": ref("schemas", item)},
            "meta": ref("schemas", "PageMeta"),
            "links": ref("schemas", "PageLinks"),
        },
    }


def list_operation(
    operation_id: str, summary: str, page: str, extra: Sequence[str] = ()
) -> Document:
    """The OpenAPI path item of a paged list (with any `extra` query parameters)."""
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "security": [{"bearerAuth": []}],
            "parameters": [ref("parameters", name) for name in [*extra, "Page", "PerPage"]],
            "responses": {
                "200": {
                    "description": "One page of results",
                    "content": {"application/json": {"schema": ref("schemas", page)}},
                },
                "400": ref("responses", "BadRequest"),
                "401": ref("responses", "Unauthorized"),
                "429": ref("responses", "TooManyRequests"),
                "500": ref("responses", "ServerError"),
            },
        }
    }
