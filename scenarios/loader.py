"""Parse and validate scenario-set files: YAML or JSON, safely, with every problem reported."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from practicum.request_text import storable
from scenarios.beats import beat_problems

SCHEMA_PATH = Path(__file__).parent / "schema.json"
SETS_DIR = Path(__file__).parent / "sets"
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 100
MAX_DEPTH = 30
# Values once aliases are expanded: a few aliases can stand for billions ("billion laughs").
MAX_EXPANDED_NODES = 200_000
UNSTORABLE = "contains a NUL character or an unpaired surrogate"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located by its path in the document (and line if known)."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.path or '(file)'}: {self.message}{where}"

    def as_dict(self) -> dict:
        """Return the JSON form used in API error details."""
        return {"path": self.path, "message": self.message, "line": self.line}


class InvalidScenarioSet(ValueError):
    """Raised with every problem found in a scenario-set file."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader (no object construction) that also bounds aliases and nesting depth."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0
        self.lines: dict[tuple, int] = {}

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.YAMLError(f"nesting deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_nodes(node, memo: dict[int, int]) -> int:
    """Count the nodes of a composed document with aliases expanded, visiting each node once."""
    if id(node) not in memo:
        children = []
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        memo[id(node)] = 1 + sum(_expanded_nodes(child, memo) for child in children)
    return memo[id(node)]


def _line_index(node, path=()) -> dict[tuple, int]:
    """Map each document path to the 1-based line where its value starts."""
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines.update(_line_index(value, (*path, key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            lines.update(_line_index(item, (*path, position)))
    return lines


def parse_document(data: bytes, filename: str = "") -> tuple[object, dict[tuple, int]]:
    """Parse YAML or JSON bytes into plain data, and a map of paths to line numbers."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidScenarioSet([Problem("", f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidScenarioSet([Problem("", "file is not UTF-8 text")]) from None
    if filename.endswith(".json"):
        try:
            return json.loads(text), {}
        except json.JSONDecodeError as error:
            raise InvalidScenarioSet([Problem("", f"invalid JSON: {error.msg}", error.lineno)]) from None
        except RecursionError:  # json recurses once per level of nesting
            raise InvalidScenarioSet([Problem("", "invalid JSON: nested far too deeply")]) from None
    try:
        loader = _BoundedLoader(text)
    except yaml.reader.ReaderError as error:  # it refuses control characters such as NUL
        line = text.count("\n", 0, error.position) + 1
        raise InvalidScenarioSet([Problem("", f"invalid YAML: {_yaml_reason(error)}", line)]) from None
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_nodes(node, {}) > MAX_EXPANDED_NODES:
            raise InvalidScenarioSet(
                [Problem("", f"aliases expand to more than {MAX_EXPANDED_NODES:,} values")]
            )
        document = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InvalidScenarioSet([Problem("", f"invalid YAML: {_yaml_reason(error)}", line)]) from None
    finally:
        loader.dispose()
    return document, (_line_index(node) if node is not None else {})


def _yaml_reason(error: yaml.YAMLError) -> str:
    return getattr(error, "problem", None) or str(error).splitlines()[0]


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def format_path(parts) -> str:
    """Write a document path the way people read it: scenarios[3].expert_responses[0].text."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validation_problems(document, lines: dict[tuple, int] | None = None) -> list[Problem]:
    """Return every schema problem and every duplicate key, in document order."""
    lines = lines or {}
    problems = []
    for error in _validator().iter_errors(document):
        path = tuple(error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1]
            problems.append(Problem(format_path((*path, missing)), "required", lines.get(path)))
        elif error.validator == "additionalProperties":
            problems.append(Problem(format_path(path), error.message, lines.get(path)))
        else:
            problems.append(Problem(format_path(path), _short(error), lines.get(path)))
    problems += _duplicate_keys(document, lines)
    problems += _unstorable_text(document, lines)
    if not problems:  # the conversation graph is only walked once its shape is known to be right
        problems += _conversation_problems(document, lines)
    return sorted(problems, key=lambda p: (p.line or 0, p.path))


def _short(error) -> str:
    if error.validator == "type":
        return f"must be of type {error.validator_value}"
    if error.validator in ("minLength", "maxLength", "minItems", "maxItems", "pattern", "enum"):
        return f"{error.validator} {error.validator_value!r} not met"
    return error.message


def _duplicate_keys(document, lines) -> list[Problem]:
    if not isinstance(document, dict) or not isinstance(document.get("scenarios"), list):
        return []
    seen, problems = set(), []
    for index, scenario in enumerate(document["scenarios"]):
        key = scenario.get("key") if isinstance(scenario, dict) else None
        if key in seen:
            path = ("scenarios", index, "key")
            problems.append(Problem(format_path(path), f"duplicate scenario key {key!r}", lines.get(path)))
        seen.add(key)
    return problems


def _conversation_problems(document, lines) -> list[Problem]:
    problems = []
    for index, scenario in enumerate(document["scenarios"]):
        for path, message in beat_problems(scenario, ("scenarios", index)):
            problems.append(Problem(format_path(path), message, lines.get(path)))
    return problems


def _unstorable_text(document, lines) -> list[Problem]:
    """Find keys and strings the database cannot store (NUL, unpaired surrogates)."""
    problems, pending = [], [((), document)]
    while pending:  # a loop, not recursion: a JSON file may nest hundreds of levels deep
        path, value = pending.pop()
        if isinstance(value, str) and not storable(value):
            problems.append(Problem(format_path(path), UNSTORABLE, lines.get(path)))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and not storable(key):
                    problems.append(Problem(format_path(path), f"a key {UNSTORABLE}", lines.get(path)))
                else:
                    pending.append(((*path, key), item))
        elif isinstance(value, list):
            pending += [((*path, index), item) for index, item in enumerate(value)]
    return problems


def load_scenario_set(data: bytes, filename: str = "") -> dict:
    """Parse and validate a scenario-set file; raise InvalidScenarioSet with every problem."""
    document, lines = parse_document(data, filename)
    problems = validation_problems(document, lines)
    if problems:
        raise InvalidScenarioSet(problems)
    return document


def content_hash(document: dict) -> str:
    """Hash a validated document's content, independent of formatting and key order."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def shipped_set_files() -> list[Path]:
    """Return the scenario sets shipped with Practicum."""
    return sorted(SETS_DIR.glob("*.yaml")) + sorted(SETS_DIR.glob("*.json"))
