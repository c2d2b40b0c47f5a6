"""The JSON Schema editors read (`runbook-tui schema`): generated from the loader's field table.

The schema and the loader must agree: every runbook the loader accepts (the
examples, the demo, every test runbook) is valid for the schema, and every
file of the invalid corpus (tests/runbook/data/invalid/) is invalid for the
schema too, unless its first line says `# semantic: ...`, naming one of the
checks only `validate` makes (runbook_tui.runbook.schema.SEMANTIC_CHECKS).
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from helpers_runbook import cli_main

from runbook_tui.runbook import field_table
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.document import load_document
from runbook_tui.runbook.schema import SEMANTIC_CHECKS, runbook_schema, schema_text
from runbook_tui.runbook.symbolic import validate

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "runbooks").glob("*.yaml"))
COMMITTED = ROOT / "runbooks" / "runbook.schema.json"
INVALID = sorted((Path(__file__).parent / "data" / "invalid").glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema=runbook.schema.json"
VALIDATOR = jsonschema.Draft7Validator(runbook_schema())


def _every_yaml() -> list[Path]:
    found = [*EXAMPLES, *(ROOT / "runbook_tui").rglob("*.yaml"), *(ROOT / "tests").rglob("*.yaml")]
    return sorted(p for p in found if "invalid" not in p.parts and "yaml-hints" not in p.parts)


def _schema_errors(path: Path) -> list[str]:
    """The schema's complaints about the document as the loader reads it (YAML 1.2-like: `on` is a key, times are text)."""
    document = load_document(path.read_text(encoding="utf-8"), str(path))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def test_committed_schema_is_the_generated_one(capsys):
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), "regenerate: runbook-tui schema > runbooks/runbook.schema.json"
    assert cli_main(["schema"]) == 0
    assert capsys.readouterr().out == schema_text()


def test_schema_is_valid_draft7_with_descriptions_and_enums():
    schema = runbook_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    shapes = [schema, *schema["definitions"].values()]
    for shape in shapes:
        assert shape["description"]
        for key, prop in shape["properties"].items():
            assert prop["description"], key
    step = schema["definitions"]["step"]["properties"]
    assert {"enum": ["after", "before", "both", "none", "per_wave"]} in step["verify"]["anyOf"]
    assert {"enum": list(field_table.SECTION_KINDS)} in schema["definitions"]["section"]["properties"]["kind"]["anyOf"]


def test_every_example_names_the_committed_schema():
    assert EXAMPLES
    for example in EXAMPLES:
        first = example.read_text(encoding="utf-8").splitlines()[0]
        assert first == MODELINE, example
        assert (example.parent / first.split("$schema=", 1)[1]).is_file()


@pytest.mark.parametrize("path", _every_yaml(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_runbook_the_loader_accepts_is_valid_for_the_schema(path):
    try:
        load_document(path.read_text(encoding="utf-8"), str(path))
    except RunbookInvalid:
        pytest.fail(f"{path} is not even YAML the loader reads")
    if not (path.name.endswith(".yaml") and validate(path).ok):
        return  # settings, themes and participants files are YAML too, not runbooks
    assert _schema_errors(path) == []


def test_the_corpus_is_large_and_has_both_kinds():
    semantic = [p for p in INVALID if p.read_text(encoding="utf-8").startswith("# semantic:")]
    assert len(INVALID) >= 40 and len(semantic) >= 15


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_schema_and_loader_agree_on_the_invalid_corpus(path):
    result = validate(path)
    assert not result.ok, f"{path.name} must be invalid for the loader"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    try:
        schema_errors = _schema_errors(path)
    except RunbookInvalid:
        schema_errors = ["not a YAML document an editor accepts either (syntax, duplicate key)"]
    if first.startswith("# semantic:"):
        reason = first.removeprefix("# semantic:").strip()
        assert any(reason in check for check in SEMANTIC_CHECKS), f"{path.name}: '{reason}' is not a documented semantic check"
        assert schema_errors == [], f"{path.name} claims a semantic check but the schema catches it: {schema_errors}"
    else:
        assert schema_errors, f"{path.name}: the loader refuses it ({result.errors[0]}) but the schema accepts it"
