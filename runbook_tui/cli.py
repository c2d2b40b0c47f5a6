"""The `runbook-tui` command: parses arguments and wires the pieces for each subcommand.

Exit codes are a contract (scripts rely on them): 0 success, 1 failed or
findings, 2 invalid input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from runbook_tui import __version__
from runbook_tui.runbook.diagnostics import Diagnostic, RunbookInvalid
from runbook_tui.runbook.loader import Loaded, load_runbook
from runbook_tui.runbook.params import ParamError, parse_assignments
from runbook_tui.runbook.plan import format_plan, plan_json

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runbook-tui",
        description="Walk a risky production change step by step, with a verifier, rollback and a journal.",
    )
    parser.add_argument("--version", action="version", version=f"runbook-tui {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_params(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "-p", dest="params", action="append", default=[], metavar="NAME=VALUE",
            help="a parameter value; NAME=@FILE reads it from a file (repeatable)",
        )  # fmt: skip

    validate = commands.add_parser("validate", help="check runbooks; errors as FILE:LINE:COL: message")
    validate.add_argument("files", nargs="+", metavar="FILE")
    with_params(validate)

    plan = commands.add_parser("plan", help="the rendered plan: every step, where it runs, command and undo")
    plan.add_argument("file", metavar="FILE")
    with_params(plan)
    plan.add_argument("--json", action="store_true", help="machine-readable plan")
    return parser


def _report(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


def _load(file: str, params: dict[str, Any]) -> Loaded | None:
    """Load one runbook, printing its problems; None when it is invalid."""
    try:
        loaded = load_runbook(file, params)
    except RunbookInvalid as invalid:
        _report(invalid.diagnostics)
        return None
    _report(loaded.warnings)
    return loaded


def cmd_validate(args: argparse.Namespace, params: dict[str, Any]) -> int:
    invalid = 0
    for file in args.files:
        # With several files, a -p meant for one of them is not an error for the others.
        own = params if len(args.files) == 1 else _declared_only(file, params)
        loaded = _load(file, own)
        if loaded is None:
            invalid += 1
        else:
            steps = len(loaded.runbook.steps)
            print(f"{file}: ok ({steps} steps, {len(loaded.warnings)} warnings)")
    return EXIT_INVALID if invalid else EXIT_OK


def _declared_only(file: str, params: dict[str, Any]) -> dict[str, Any]:
    if not params:
        return params
    try:
        declared = {p.name for p in load_runbook(file, {}).runbook.params}
    except RunbookInvalid:
        return {}  # the real load below reports what is wrong
    return {k: v for k, v in params.items() if k in declared}


def cmd_plan(args: argparse.Namespace, params: dict[str, Any]) -> int:
    loaded = _load(args.file, params)
    if loaded is None:
        return EXIT_INVALID
    if args.json:
        json.dump(plan_json(loaded.runbook), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_plan(loaded.runbook))
    return EXIT_OK


COMMANDS = {"validate": cmd_validate, "plan": cmd_plan}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        params = parse_assignments(getattr(args, "params", []))
    except ParamError as exc:
        print(f"runbook-tui: {exc}", file=sys.stderr)
        return EXIT_INVALID
    return COMMANDS[args.command](args, params)
