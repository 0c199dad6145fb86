"""Load survey definitions from YAML and keep every version of each.

Public API:
    DEFINITIONS_DIR: the folder of built-in definitions.
    load_definition(path) -> SurveyDefinition
    parse_definition(text, *, source="<string>") -> SurveyDefinition
    validate_definition(document, *, source="<document>") -> SurveyDefinition
    load_definitions(folder=DEFINITIONS_DIR) -> DefinitionRegistry
    DefinitionRegistry: get(key, version=None), latest(key), versions(key), keys(),
        latest_definitions(), source_of(key, version); iterable over every version.

A document goes through three steps: named scales and option lists are put in place
(surveys.named_lists), the models validate each part (surveys.definition), then the checks
that span questions and the whole document run (surveys.consistency). Loading a folder also
checks what one file says of another (a follow-up names a form that exists).

Every failure raises DefinitionError whose message names the file, the path inside it
(e.g. `pages[2].questions[0].options`) and what is wrong.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from surveys.consistency import find_problems
from surveys.definition import Audience, SurveyDefinition
from surveys.errors import DefinitionError, UnknownDefinition
from surveys.named_lists import resolve_named_lists

logger = logging.getLogger(__name__)

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
MAX_FILE_BYTES = 1_000_000
_MAX_PROBLEMS = 20
# `section-11.yaml` or `section-11.v2.yaml`: the key, then an optional version.
_FILE_NAME = re.compile(r"^(?P<key>[a-z][a-z0-9-]*)(?:\.v(?P<version>\d+))?\.ya?ml$")
# libyaml's loader where it is built in (about 10x faster); both only build plain data.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Parsed files by (path, modification time, size): definitions are frozen, so every app and
# test in a process can share them; an edited file is parsed again.
_PARSED: dict[tuple[str, int, int], SurveyDefinition] = {}


def load_definition(path: str | Path) -> SurveyDefinition:
    """Read, parse and validate one definition file (once per process while it is unchanged)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as error:
        raise _unreadable(path, error) from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _PARSED:
        _PARSED[key] = _read_definition(path)
    return _PARSED[key]


def _unreadable(path: Path, error: OSError) -> DefinitionError:
    return DefinitionError(f"{path}: cannot read the file ({error.strerror})", source=str(path))


def _read_definition(path: Path) -> SurveyDefinition:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise _unreadable(path, error) from None
    if len(raw) > MAX_FILE_BYTES:
        raise DefinitionError(
            f"{path}: the file is larger than {MAX_FILE_BYTES} bytes", source=str(path)
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"{path}: not UTF-8 text (byte {error.start})"
        raise DefinitionError(message, source=str(path)) from None
    return parse_definition(text, source=str(path))


def parse_definition(text: str, *, source: str = "<string>") -> SurveyDefinition:
    """Parse and validate one definition from YAML text; `source` names it in errors."""
    try:
        document = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        raise DefinitionError(f"{source}: {_describe_yaml_error(error)}", source=source) from None
    if not isinstance(document, dict):
        found = "nothing" if document is None else type(document).__name__
        message = (
            f"{source}: expected a mapping with key, title, version, ... at the top; found {found}"
        )
        raise DefinitionError(message, source=source)
    return validate_definition(document, source=source)


def validate_definition(
    document: dict[str, Any], *, source: str = "<document>"
) -> SurveyDefinition:
    """Validate one definition document (a YAML file's data); `source` names it in errors."""
    document, problems = resolve_named_lists(document)
    if problems:
        raise _definition_error(source, problems)
    try:
        definition = SurveyDefinition.model_validate(document)
    except ValidationError as error:
        problems = [_describe_problem(item) for item in _root_causes(error.errors())]
        raise _definition_error(source, problems) from None
    problems = find_problems(definition)
    if problems:
        raise _definition_error(source, problems)
    return definition


def _root_causes(items: list[Any]) -> list[Any]:
    """Drop "too short" errors that only follow from an invalid item inside the same list."""
    locations = [tuple(item["loc"]) for item in items]

    def is_consequence(item: Any) -> bool:
        here = tuple(item["loc"])
        inner = (loc for loc in locations if len(loc) > len(here) and loc[: len(here)] == here)
        return item["type"] == "too_short" and any(True for _ in inner)

    return [item for item in items if not is_consequence(item)]


def _definition_error(source: str, problems: list[str]) -> DefinitionError:
    shown = problems[:_MAX_PROBLEMS]
    more = len(problems) - len(shown)
    lines = [f"{source}: invalid survey definition ({len(problems)} problem(s))"]
    lines += [f"  - {line}" for line in shown]
    if more:
        lines.append(f"  - ... and {more} more")
    return DefinitionError("\n".join(lines), source=source, problems=problems)


def _describe_yaml_error(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    reason = getattr(error, "problem", None) or "not valid YAML"
    if mark is None:
        return f"not valid YAML: {reason}"
    return f"not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {reason}"


def format_location(location: tuple[Any, ...] | list[Any]) -> str:
    """Format a pydantic error location like `pages[2].questions[0].options`."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _describe_problem(item: Any) -> str:
    location = format_location(item["loc"])
    context = item.get("ctx") or {}
    at = context.get("at") if item["type"] == "definition" else None
    if at:
        location = f"{location}.{at}" if location and not at.startswith("[") else location + at
    return f"{location or '(top level)'}: {_reason(item)}"


def _reason(item: Any) -> str:
    kind, message = item["type"], str(item["msg"])
    if kind == "missing":
        return "this field is required but missing"
    if kind == "extra_forbidden":
        return "not a recognised field here (check the spelling and indentation)"
    message = message.removeprefix("Value error, ")
    given = item.get("input")
    if kind != "definition" and isinstance(given, str | int | float) and len(str(given)) <= 60:
        message += f" (found {given!r})"
    return message


class DefinitionRegistry:
    """Every loaded definition, by key and version."""

    def __init__(self, entries: dict[tuple[str, int], tuple[SurveyDefinition, Path]]):
        self._entries = dict(sorted(entries.items()))

    def get(self, key: str, version: int | None = None) -> SurveyDefinition:
        """Return one version of a definition, the latest when `version` is None."""
        if version is None:
            return self.latest(key)
        try:
            return self._entries[(key, version)][0]
        except KeyError:
            raise UnknownDefinition(f"no survey definition {key!r} version {version}") from None

    def latest(self, key: str) -> SurveyDefinition:
        """Return the highest version of a definition."""
        versions = self.versions(key)
        if not versions:
            raise UnknownDefinition(f"no survey definition {key!r}")
        return self._entries[(key, versions[-1])][0]

    def versions(self, key: str) -> list[int]:
        """Return the loaded versions of a key, oldest first."""
        return [version for entry_key, version in self._entries if entry_key == key]

    def keys(self) -> list[str]:
        """Return every definition key, sorted."""
        return sorted({key for key, _ in self._entries})

    def latest_definitions(self) -> list[SurveyDefinition]:
        """Return the latest version of every definition, sorted by key."""
        return [self.latest(key) for key in self.keys()]

    def source_of(self, key: str, version: int) -> Path:
        """Return the file a definition version was loaded from."""
        self.get(key, version)
        return self._entries[(key, version)][1]

    def __contains__(self, key: object) -> bool:
        return any(entry_key == key for entry_key, _ in self._entries)

    def __iter__(self) -> Iterator[SurveyDefinition]:
        return (definition for definition, _ in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)


def load_definitions(folder: str | Path = DEFINITIONS_DIR) -> DefinitionRegistry:
    """Load every `*.yaml` definition in a folder; report all invalid files at once."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DefinitionError(f"{folder}: no such folder of survey definitions", source=str(folder))
    entries: dict[tuple[str, int], tuple[SurveyDefinition, Path]] = {}
    failures: list[str] = []
    paths = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    for path in paths:
        try:
            definition = load_definition(path)
            _check_file_name(path, definition)
            _add_entry(entries, definition, path)
        except DefinitionError as error:
            failures.append(str(error))
    failures += _follow_up_problems(entries)
    failures += _triangulation_problems(entries)
    if failures:
        raise DefinitionError("\n".join(failures), source=str(folder), problems=failures)
    logger.info("loaded survey definitions folder=%s count=%d", folder, len(entries))
    return DefinitionRegistry(entries)


def _check_file_name(path: Path, definition: SurveyDefinition) -> None:
    match = _FILE_NAME.match(path.name)
    if match is None:
        expected = f"{definition.key}.yaml or {definition.key}.v{definition.version}.yaml"
        raise DefinitionError(f"{path}: file name should be {expected}", source=str(path))
    if match["key"] != definition.key:
        message = (
            f"{path}: key: the file is named for {match['key']!r} but key is {definition.key!r}"
        )
        raise DefinitionError(message, source=str(path))
    if match["version"] is not None and int(match["version"]) != definition.version:
        said = f"v{match['version']}"
        message = f"{path}: version: the file name says {said} but version is {definition.version}"
        raise DefinitionError(message, source=str(path))


def _add_entry(
    entries: dict[tuple[str, int], tuple[SurveyDefinition, Path]],
    definition: SurveyDefinition,
    path: Path,
) -> None:
    slot = (definition.key, definition.version)
    if slot in entries:
        other = entries[slot][1]
        name = f"{definition.key!r} version {definition.version}"
        message = f"{path}: version: {name} is also defined in {other}"
        raise DefinitionError(message, source=str(path))
    entries[slot] = (definition, path)


def _follow_up_problems(entries: dict[tuple[str, int], tuple[SurveyDefinition, Path]]) -> list[str]:
    """Return a problem for each follow-up that names no loaded form answered from a link."""
    by_version = sorted(entries.items(), key=lambda entry: entry[0])
    latest = {key: definition for (key, _), (definition, _) in by_version}
    problems = []
    for definition, path in entries.values():
        if definition.follow_up is None:
            continue
        form = latest.get(definition.follow_up.form)
        if form is None:
            known = ", ".join(sorted(latest))
            reason = f"no survey definition '{definition.follow_up.form}' (one of: {known})"
        elif form.audience is not Audience.ANONYMOUS_LINK:
            reason = f"'{form.key}' is not answered from a link (audience anonymous_link)"
        else:
            continue
        problems.append(f"{path}: follow_up.form: {reason}")
    return problems


def _triangulation_problems(
    entries: dict[tuple[str, int], tuple[SurveyDefinition, Path]],
) -> list[str]:
    """Return a problem for each triangulation naming a form or standard that is not loaded."""
    by_version = sorted(entries.items(), key=lambda entry: entry[0])
    latest = {key: definition for (key, _), (definition, _) in by_version}
    problems = []
    for definition, path in entries.values():
        if definition.triangulates is None:
            continue
        form = latest.get(definition.triangulates)
        refs = [page.standard.ref for page in form.pages if page.standard] if form else []
        if not refs:
            reason = f"'{definition.triangulates}' is not a loaded form with standards"
            problems.append(f"{path}: triangulates: {reason}")
            continue
        for page_index, page in enumerate(definition.pages):
            for index, question in enumerate(page.questions):
                found = question.triangulation
                if found is not None and found.standard not in refs:
                    at = f"pages[{page_index}].questions[{index}].triangulation.standard"
                    reason = f"'{found.standard}' is not one of {form.key}'s standards"  # type: ignore[union-attr]
                    problems.append(f"{path}: {at}: {reason}")
    return problems
