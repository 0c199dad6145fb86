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

from surveys.definition import SurveyDefinition

SCHEMA_PATH = Path(__file__).parent / "definitions" / "schema.json"
SCHEMA_ID = "https://learning-loop.example/schemas/survey-definition.json"


def definition_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a survey definition document (YAML keys, aliases included)."""
    schema = SurveyDefinition.model_json_schema(by_alias=True, mode="validation")
    header = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Learning Loop survey definition",
    }
    return {**header, **{key: value for key, value in schema.items() if key != "title"}}


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
