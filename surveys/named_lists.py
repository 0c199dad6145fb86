"""Named scales and choice lists: declared once at the top of a definition, used by name.

Public API:
    resolve_named_lists(document) -> (document, problems): put each named scale or option
        list in place of its name; problems say where a name is unknown ("path: reason").

A definition file may declare

    scales:
      section_11_compliance: {version: 1, levels: [...]}
    choices:
      how_often: [{value: always, label: Always}, ...]

and a question then says `scale: section_11_compliance` or `options: how_often`. The loader
runs this on the YAML document before validation, so the models (and all code after them)
only ever see a full ComplianceScale or tuple of Options.
"""

from __future__ import annotations

from typing import Any

# (question key, top-level map it names, what the map holds, in users' words)
_REFERENCES = (("scale", "scales", "a scale"), ("options", "choices", "an option list"))


def resolve_named_lists(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return the document with every named scale and option list in place, and problems.

    The document given is not changed. Anything malformed (pages that are not a list, a
    question that is not a mapping) is left for validation to report.
    """
    pages = document.get("pages")
    if not isinstance(pages, list):
        return document, []
    problems: list[str] = []
    resolved_pages = []
    for page_index, page in enumerate(pages):
        questions = page.get("questions") if isinstance(page, dict) else None
        if not isinstance(questions, list):
            resolved_pages.append(page)
            continue
        at = f"pages[{page_index}].questions"
        resolved = _resolve_questions(document, questions, at, problems)
        resolved_pages.append({**page, "questions": resolved})
    return {**document, "pages": resolved_pages}, problems


def _resolve_questions(
    document: dict[str, Any], questions: list[Any], at: str, problems: list[str]
) -> list[Any]:
    resolved = []
    for index, question in enumerate(questions):
        if not isinstance(question, dict):
            resolved.append(question)
            continue
        path = f"{at}[{index}]"
        question = dict(question)
        for key, top, kind in _REFERENCES:
            name = question.get(key)
            if isinstance(name, str):
                question[key] = _look_up(document, top, kind, name, f"{path}.{key}", problems)
        if isinstance(question.get("fields"), list):
            question["fields"] = _resolve_questions(
                document, question["fields"], f"{path}.fields", problems
            )
        resolved.append(question)
    return resolved


def _look_up(
    document: dict[str, Any], top: str, kind: str, name: str, at: str, problems: list[str]
) -> Any:
    declared = document.get(top)
    if isinstance(declared, dict) and name in declared:
        return declared[name]
    if isinstance(declared, dict) and declared:
        names = ", ".join(sorted(str(known) for known in declared))
        problems.append(f"{at}: '{name}' is not {kind} declared under {top} (one of: {names})")
    else:
        problems.append(f"{at}: '{name}' names {kind}, but the file declares no {top}")
    return name
