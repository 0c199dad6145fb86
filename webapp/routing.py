"""URL converters: an `int` in a route is a database id, so it must fit a signed 64-bit integer."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**63 - 1  # SQLite INTEGER and PostgreSQL BIGINT; larger numbers cannot name a row


class IdConverter(IntegerConverter):
    """Match whole numbers up to MAX_ID; a larger one matches no route, so it answers 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        super().__init__(map, *args, **kwargs)
        self.max = MAX_ID if self.max is None else min(self.max, MAX_ID)


def init_app(app: Flask) -> None:
    """Replace the `int` converter; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = IdConverter
