"""Export the JSON Schema of survey definitions, for editors and CI.

Public API:
    definition_json_schema() -> dict: the schema of a SurveyDefinition document.
    render_schema() -> str: the schema as the text committed at definitions/schema.json.
    main(argv=None) -> int: `python -m surveys.schema [--out PATH]`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from surveys.definition import IDENTIFIER_PATTERN, SurveyDefinition

SCHEMA_PATH = Path(__file__).parent / "definitions" / "schema.json"
SCHEMA_ID = "https://learning-loop.example/schemas/survey-definition.json"


def definition_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a survey definition document (YAML keys, aliases included)."""
    schema = SurveyDefinition.model_json_schema(by_alias=True, mode="validation")
    _allow_named_lists(schema["$defs"]["Question"]["properties"])
    header = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Learning Loop survey definition",
    }
    return {**header, **{key: value for key, value in schema.items() if key != "title"}}


def _allow_named_lists(properties: dict[str, Any]) -> None:
    """Let a question's scale and options name a list declared at the top of the file.

    The loader puts the named scale or options in place before validation, so the models
    never see a name; the schema describes the file as written.
    """
    name = {"type": "string", "pattern": IDENTIFIER_PATTERN}
    properties["scale"]["anyOf"].insert(
        1, {**name, "description": "The name of a scale declared under scales"}
    )
    options = {key: properties["options"].pop(key) for key in ("type", "items")}
    properties["options"]["anyOf"] = [
        options,
        {**name, "description": "The name of an option list declared under choices"},
    ]


def render_schema() -> str:
    """Return the schema as stable, indented JSON text ending in a newline."""
    return json.dumps(definition_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the schema to stdout, or to the file given with --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write to this file instead of stdout")
    args = parser.parse_args(argv)
    text = render_schema()
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
