"""Read a laid-out WeasyPrint document: what ends each page, and how full the first page is."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

HEADING_TAGS = {"h1", "h2", "h3", "h4", "caption"}
HEADING_CLASS = "app-report-heading"  # paragraphs that head what follows (quotes)


def _texts(box: Any, ancestors: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if type(box).__name__ == "MarginBox":  # the "Page 1 of 9" footer
        return
    chain = (*ancestors, box)
    text = getattr(box, "text", None)
    if text and text.strip():
        yield chain, text.strip()
    for child in getattr(box, "children", []):
        yield from _texts(child, chain)


def _is_heading(chain: tuple[Any, ...]) -> bool:
    for box in chain:
        if getattr(box, "element_tag", None) in HEADING_TAGS:
            return True
        element = getattr(box, "element", None)
        if element is not None and HEADING_CLASS in (element.get("class") or "").split():
            return True
    return False


def page_endings(document: Any) -> list[tuple[bool, str]]:
    """Return, for each page, whether its last text is a heading, and that text."""
    endings = []
    for page in document.pages:
        found = list(_texts(page._page_box))
        chain, text = found[-1] if found else ((), "")
        endings.append((_is_heading(chain), text))
    return endings


def _bottoms(box: Any) -> Iterator[float]:
    if type(box).__name__ == "MarginBox":
        return
    is_picture = type(box).__name__ in ("InlineReplacedBox", "BlockReplacedBox")
    if getattr(box, "text", None) or is_picture:
        yield box.position_y + box.margin_height()
    for child in getattr(box, "children", []):
        yield from _bottoms(child)


def first_page_fill(document: Any) -> float:
    """Return how much of the first page's writing area is used, from 0 to 1."""
    page = document.pages[0]._page_box
    top, height = page.content_box_y(), page.height
    return (max(_bottoms(page), default=top) - top) / height
