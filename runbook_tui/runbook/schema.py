"""The JSON Schema of the runbook format, generated from the loader's field table.

`runbook-tui schema > runbook.schema.json`; editors with the YAML language
server (VS Code's YAML extension, neovim, helix) read it from a runbook's
first line, `# yaml-language-server: $schema=runbook.schema.json`, and then
complete keys, show these descriptions and flag errors while typing.

The schema checks the shape (keys, types, enums, exactly-one-of rules).
Checks that need the whole document or rendered values stay with `validate`;
SEMANTIC_CHECKS lists them.
"""

from __future__ import annotations

import json
from typing import Any

from runbook_tui.runbook.field_table import RUNBOOK, SHAPES, Shape

SCHEMA_ID = "https://github.com/runbook-tui/runbook-tui/runbook.schema.json"

#: What `validate` checks that a JSON Schema cannot (each a message family of the loader).
SEMANTIC_CHECKS = (
    "duplicate keys, ids, captures, panel ids and section ids",
    "names used by templates: parameters, secrets, captures of earlier steps, host fields, the ticket",
    "template syntax, and shell quoting context of interpolated values",
    "`on:` naming a declared host or group; `watch`, `expect.metric` and `success` naming declared panels",
    "`from_param` naming a declared list parameter; group names distinct from host names; `local` reserved",
    "parameter names that are not template roots; a default of the parameter's type; a choice parameter with choices; patterns that compile",
    "values rendered from templates: durations, numbers, enums, URLs, host names",
    "window times: ISO 8601 with an offset, the end after the start",
    "a parameter's min not above its max",
    "URLs that parse (a host, a port from 1 to 65535); header names a request sets itself (Host, Content-Length, ...)",
    'Alertmanager label matchers (label="value", also !=, =~, !~)',
    "the verifier differs from the assignee; panels need a metrics source; a panel's warn not beyond its critical; at least one step in all",
    "`expect.stdout` compiles as a regular expression; the file is UTF-8, under 4 MiB, nested under 64 levels",
    "no placeholder left from `runbook-tui new` (EDIT-assignee, CHG-0000, (EDIT)) in the ticket and parameter descriptions",
)


def _object(shape: Shape) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "description": shape.description,
        "properties": {f.key: {**f.value, "description": f.description} for f in shape.fields},
        "additionalProperties": False,
    }
    if shape.required:
        schema["required"] = list(shape.required)
    schema.update(shape.extra)
    return schema


def runbook_schema() -> dict[str, Any]:
    """The schema as a JSON-ready dict (JSON Schema draft-07, which the YAML language server reads)."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "runbook-tui runbook",
        **_object(RUNBOOK),
        "definitions": {shape.name: _object(shape) for shape in SHAPES if shape is not RUNBOOK},
    }


def schema_text() -> str:
    """The schema as written to runbook.schema.json (stable: sorted nowhere, indented, newline at the end)."""
    return json.dumps(runbook_schema(), indent=2, ensure_ascii=False) + "\n"
