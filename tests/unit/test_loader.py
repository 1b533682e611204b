"""Scenario-set files: validated against the schema, every problem reported with its path."""

import json
import time
from pathlib import Path

import pytest
import yaml

from bench.upload_flood import anchor_bomb
from scenarios.loader import (
    InvalidScenarioSet,
    content_hash,
    load_scenario_set,
    shipped_set_files,
)

FIXTURE = Path(__file__).parent.parent / "fixtures" / "mini-set.yaml"


def problems_of(text: str, filename: str = "set.yaml") -> list[str]:
    with pytest.raises(InvalidScenarioSet) as caught:
        load_scenario_set(text.encode(), filename)
    return [str(p) for p in caught.value.problems]


def test_fixture_is_valid():
    document = load_scenario_set(FIXTURE.read_bytes(), "mini-set.yaml")
    assert document["key"] == "mini-set" and len(document["scenarios"]) == 2


def test_every_problem_is_reported_with_its_path_and_line():
    document = yaml.safe_load(FIXTURE.read_text())
    del document["scenarios"][1]["expert_responses"][0]["text"]
    document["scenarios"][0]["student"]["name"] = ""
    del document["title"]
    found = problems_of(yaml.safe_dump(document, sort_keys=False))
    assert any(p.startswith("scenarios[1].expert_responses[0].text: required") for p in found)
    assert any(p.startswith("scenarios[0].student.name: must not be empty") for p in found)
    assert any(p.startswith("title: required") for p in found)
    assert all("(line " in p for p in found if not p.startswith("title"))


SCHEMA_WORDS = ("minItems", "minLength", "must be of type", "not met", "Additional properties", "oneOf")


def test_problems_are_in_plain_words_without_schema_terms():
    document = yaml.safe_load(FIXTURE.read_text())
    document["scenarios"][0]["expert_responses"] = []
    document["scenarios"][0]["title"] = 42
    document["scenarios"][0]["pitfalls"][0]["severity"] = "awful"
    document["scenarios"][1]["titel"] = "typo"
    document["scenarios"][1]["expert_responses"][0]["moves"] = ["move 3"]
    found = problems_of(yaml.safe_dump(document, sort_keys=False))
    assert any(p.startswith("scenarios[0].expert_responses: needs at least 1 item (") for p in found)
    assert any(p.startswith("scenarios[0].title: must be text (") for p in found)
    assert any(p.startswith("scenarios[0].pitfalls[0].severity: must be one of: ") for p in found)
    assert any("has a field it does not know: 'titel'" in p for p in found)
    assert any("a move code such as M3" in p for p in found)
    assert not [p for p in found if any(term in p for term in SCHEMA_WORDS)], found


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ('key: a\ntitle: "oops\nscenarios:\n  - key: b\n    title: c\n', 2, "quote opened on this line"),
        ("key: a\ntitle: Note: this\nscenarios: []\n", 2, "put the whole value in quotes"),
        ("key: a\n\ttitle: x\n", 2, "indent with spaces, not tabs"),
        ("key: [a, b\ntitle: x\n", 1, "never closed with ']'"),
    ],
)
def test_yaml_syntax_errors_point_at_the_line_that_caused_them(text, line, says):
    with pytest.raises(InvalidScenarioSet) as refused:
        load_scenario_set(text.encode(), "set.yaml")
    (problem,) = refused.value.problems
    assert problem.line == line and says in problem.message


def test_a_file_with_a_flood_of_problems_lists_200_and_counts_the_rest():
    data = anchor_bomb()
    assert len(data) < 25_000
    with pytest.raises(InvalidScenarioSet) as refused:
        load_scenario_set(data, "bomb.yaml")
    problems = refused.value.problems
    assert len(problems) == 201
    # 98 copies of 1,806 problems each, and 97 repeated keys: 177,085 in all, 200 of them listed.
    assert problems[-1].message.startswith("… and 176,885 more problems not listed here")
    assert len(json.dumps([p.as_dict() for p in problems])) < 1_000_000


def test_duplicate_scenario_keys_are_refused():
    document = yaml.safe_load(FIXTURE.read_text())
    document["scenarios"][1]["key"] = document["scenarios"][0]["key"]
    found = problems_of(yaml.safe_dump(document))
    assert any("duplicate scenario key" in p for p in found)


def test_json_files_are_accepted():
    document = yaml.safe_load(FIXTURE.read_text())
    assert load_scenario_set(json.dumps(document).encode(), "set.json")["key"] == "mini-set"


def billion_laughs(levels: int = 120) -> str:
    """Each anchor doubles the one before it: tiny text, exponential expansion."""
    lines = ["a0: &a0 [lol]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "hostile",
    [
        billion_laughs(),
        "key: " + "[" * 200 + "]" * 200,
        "key: !!python/object/apply:os.system ['echo pwned']\n",
        "\xff\xfe not utf-8",
    ],
)
def test_hostile_files_are_refused_quickly(hostile):
    started = time.perf_counter()
    with pytest.raises(InvalidScenarioSet):
        load_scenario_set(hostile.encode("latin-1") if "\xff" in hostile else hostile.encode())
    assert time.perf_counter() - started < 1.0


def test_files_over_two_megabytes_are_refused():
    assert "larger than 2 MB" in problems_of("x" * (2 * 1024 * 1024 + 1))[0]


def test_content_hash_ignores_formatting_and_key_order():
    document = yaml.safe_load(FIXTURE.read_text())
    reordered = dict(reversed(list(document.items())))
    assert content_hash(document) == content_hash(reordered)
    changed = yaml.safe_load(FIXTURE.read_text())
    changed["scenarios"][0]["title"] += "!"
    assert content_hash(changed) != content_hash(document)


def test_shipped_library_is_valid_and_broad():
    scenarios = []
    for path in shipped_set_files():
        scenarios += load_scenario_set(path.read_bytes(), path.name)["scenarios"]
    keys = [s["key"] for s in scenarios]
    assert len(keys) == len(set(keys)), "scenario keys must be unique across the library"
    assert len(scenarios) >= 40
    assert len({s["category"] for s in scenarios}) >= 6
    for scenario in scenarios:
        strategies = {r.get("strategy") for r in scenario["expert_responses"]}
        assert len(scenario["expert_responses"]) >= 3 and len(strategies) >= 3, scenario["key"]


UNSTORABLE = "contains a NUL character or an unpaired surrogate"


def test_text_the_database_cannot_store_is_reported_with_its_path():
    document = yaml.safe_load(FIXTURE.read_text())
    document["scenarios"][0]["title"] = "Bad\u0000title"
    document["scenarios"][1]["student"]["name"] = "\ud800"
    document["scenarios"][1]["student"]["odd\u0000key"] = "x"
    found = problems_of(json.dumps(document), "set.json")
    assert f"scenarios[0].title: {UNSTORABLE}" in found
    assert f"scenarios[1].student.name: {UNSTORABLE}" in found
    assert f"scenarios[1].student: a key {UNSTORABLE}" in found


def test_yaml_escapes_for_nul_are_reported_with_their_line():
    found = problems_of('key: mini-set\ntitle: "A\\0B"\n')
    assert f"title: {UNSTORABLE} (line 2)" in found


def test_a_nul_deep_in_a_json_file_is_found_without_recursing():
    depth = 900  # json parses this deep; a recursive walk of it would not fit the stack
    found = problems_of('{"key": ' + "[" * depth + '"\\u0000"' + "]" * depth + "}", "set.json")
    assert any(p.startswith("key[0][0]") and p.endswith(UNSTORABLE) for p in found)


def test_a_nul_byte_in_yaml_is_invalid_yaml_not_a_crash():
    found = problems_of("key: mini-set\ntitle: a\x00b\n")
    assert found == [
        "(file): invalid YAML: unacceptable character #x0000: special characters are not allowed (line 2)"
    ]


def test_the_schemas_follow_up_keys_are_the_score_bands_and_the_red_line():
    # The schema lists the bands again (JSON Schema cannot import them): this keeps both lists one.
    from ai.bands import BAND_LABELS
    from scenarios.loader import SCHEMA_PATH

    schema = json.loads(SCHEMA_PATH.read_text())
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "follow_ups" in node.get("properties", {}):
                found.append(node["properties"]["follow_ups"]["propertyNames"]["enum"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert found and all(set(keys) == {*BAND_LABELS, "red_line"} for keys in found)
