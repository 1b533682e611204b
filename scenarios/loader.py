"""Parse and validate scenario-set files: YAML or JSON, safely, with every problem reported."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
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
# A file is answered with at most this many problems (and how many more there were): a small
# file with aliases can hold hundreds of thousands, megabytes of answer nobody reads.
MAX_PROBLEMS = 200
COUNT_BUDGET_S = 0.5  # time to count the problems not listed, before saying "at least"


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
        raise InvalidScenarioSet(
            [Problem("", f"invalid YAML: {_yaml_reason(error)}", _yaml_line(error))]
        ) from None
    finally:
        loader.dispose()
    return document, (_line_index(node) if node is not None else {})


# PyYAML's wording, and what it means to someone writing a scenario file.
YAML_WORDS = (
    ("while scanning a quoted scalar", "", "a quote opened on this line is never closed"),
    (
        "",
        "mapping values are not allowed here",
        "a ':' inside a value: put the whole value in quotes, or check the indentation",
    ),
    ("", "cannot start any token", "a tab here: indent with spaces, not tabs"),
    ("while parsing a flow sequence", "", "a '[' list opened on this line is never closed with ']'"),
    ("while parsing a flow mapping", "", "a '{' opened on this line is never closed with '}'"),
    (
        "while parsing a block mapping",
        "expected <block end>",
        "this line is indented differently from the ones above it",
    ),
    (
        "while scanning a simple key",
        "could not find expected ':'",
        "a line here has no ':' after its field name",
    ),
)


def _yaml_reason(error: yaml.YAMLError) -> str:
    context, problem = getattr(error, "context", None) or "", getattr(error, "problem", None) or ""
    for when, found, words in YAML_WORDS:
        if (when or found) and when in context and found in problem:
            return words
    return problem or str(error).splitlines()[0]


def _yaml_line(error: yaml.YAMLError) -> int | None:
    """Return the line that caused a YAML error: where a quote or bracket opened, not the file's end."""
    context, problem = getattr(error, "context_mark", None), getattr(error, "problem_mark", None)
    opened = any(word in (getattr(error, "context", None) or "") for word in ("quoted scalar", "flow "))
    mark = context if opened and context else problem
    return mark.line + 1 if mark else None


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
    """Return the first MAX_PROBLEMS problems in document order, then one saying how many more."""
    lines = lines or {}
    errors = _validator().iter_errors(document)
    schema = [_schema_problem(error, lines) for error in itertools.islice(errors, MAX_PROBLEMS + 1)]
    others = _duplicate_keys(document, lines) + _unstorable_text(document, lines)
    problems = schema + others
    if not problems:  # the conversation graph is only walked once its shape is known to be right
        problems = _conversation_problems(document, lines)
    if len(problems) <= MAX_PROBLEMS:
        return sorted(problems, key=_in_document_order)
    if len(schema) <= MAX_PROBLEMS:  # every problem is already in hand
        total, exact = len(problems), True
    else:
        total, exact = _count_all(document, len(others))
    listed = sorted(problems[:MAX_PROBLEMS], key=_in_document_order)
    more = f"{total - MAX_PROBLEMS:,} more" if exact else f"at least {total - MAX_PROBLEMS:,} more"
    return [
        *listed,
        Problem("", f"… and {more} problems not listed here. Fix these, then check the file again."),
    ]


def _in_document_order(problem: Problem) -> tuple:
    return (problem.line or 0, problem.path)


def _schema_problem(error, lines: dict[tuple, int]) -> Problem:
    path = tuple(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return Problem(format_path((*path, missing)), "required, but missing", lines.get(path))
    return Problem(format_path(path), plain_schema_message(error), lines.get(path))


def _count_all(document, other_problems: int) -> tuple[int, bool]:
    """Count every schema problem plus the others; say whether the count is exact (time-bounded)."""
    # A scenario reused through an alias is one object: counted once, multiplied by its uses.
    deadline = time.monotonic() + COUNT_BUDGET_S
    validator = _validator()
    scenarios = document.get("scenarios") if isinstance(document, dict) else None
    total, exact = other_problems, True
    if isinstance(scenarios, list):
        shell = {**document, "scenarios": scenarios[:1]}
        parts = [(validator, shell, 1)]
        uses: dict[int, list] = {}
        for item in scenarios[1:]:
            uses.setdefault(id(item), [item, 0])[1] += 1
        one = validator.evolve(schema={"$ref": "#/$defs/scenario"})
        parts += [(one, item, times) for item, times in uses.values()]
    else:
        parts = [(validator, document, 1)]
    for checker, instance, times in parts:
        for _ in checker.iter_errors(instance):
            total += times
            if time.monotonic() > deadline:
                return total, False
    return total, exact


TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a group of named fields",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}
COUNT_WORDS = {
    "minLength": ("needs at least {n} {unit}", "character"),
    "maxLength": ("may have at most {n} {unit}", "character"),
    "minItems": ("needs at least {n} {unit}", "item"),
    "maxItems": ("may have at most {n} {unit}", "item"),
    "minProperties": ("needs at least {n} {unit}", "field"),
}
OTHER_WORDS = {
    "const": "must be {value!r}",
    "minimum": "must be at least {value}",
    "maximum": "must be at most {value}",
    "uniqueItems": "lists the same entry twice",
}
PATTERN_WORDS = {
    "^M[0-9]{1,2}$": "a move code such as M3 or M21",
    "^[a-z0-9][a-z0-9._-]{0,79}$": "lower-case letters, digits, '.', '_' or '-' (up to 80), no spaces",
}


def plain_schema_message(error) -> str:
    """Say what a schema check found in words an author knows (no schema terms)."""
    value, rule = error.validator_value, error.validator
    if rule == "type":
        kinds = value if isinstance(value, list) else [value]
        return "must be " + " or ".join(TYPE_WORDS.get(kind, kind) for kind in kinds)
    if rule == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        unknown = ", ".join(repr(name) for name in sorted(set(error.instance) - known))
        return f"has a field it does not know: {unknown} (check the spelling; see scenarios/README.md)"
    if (
        rule == "oneOf"
        and isinstance(error.instance, dict)
        and {"next", "end"} <= set(error.schema["properties"])
    ):
        return "needs either 'next' (the beat that follows) or 'end' (how it ends), not both"
    if rule == "enum":
        return "must be one of: " + ", ".join(str(option) for option in value)
    if rule == "pattern":
        return f"must be {PATTERN_WORDS.get(value, 'in the expected form')}"
    if rule in COUNT_WORDS:
        template, unit = COUNT_WORDS[rule]
        if rule == "minLength" and value == 1:
            return "must not be empty"
        return template.format(n=f"{value:,}", unit=unit + ("" if value == 1 else "s"))
    return OTHER_WORDS[rule].format(value=value) if rule in OTHER_WORDS else error.message


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
