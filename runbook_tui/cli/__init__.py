"""The `runbook-tui` command: parses arguments and wires the pieces for each subcommand.

Exit codes are a contract (scripts rely on them): 0 success, 1 failed or findings, 2 invalid input.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from runbook_tui.cli import error_lines
from runbook_tui.cli.journal_arg import runbook_for_journal
from runbook_tui.cli.output_files import refused_output
from runbook_tui.cli.parser import parse
from runbook_tui.cli.parser import parser as _parser  # noqa: F401  (tests build the parser through `cli`)
from runbook_tui.cli.pipe import ANSWER_IN_EXIT_CODE, PRINTED, answer_kept, quiet_on_broken_pipe, refusal_said
from runbook_tui.engine.outcomes import EXIT_FAILED, EXIT_INVALID, EXIT_OK
from runbook_tui.runbook.safe_text import json_inert, not_utf8, visible, visible_line

if TYPE_CHECKING:  # the runbook package loads in `main`, once a screen command has paused the collector (below)
    from runbook_tui.runbook.diagnostics import Diagnostic
    from runbook_tui.runbook.loader import Loaded

# At exit the interpreter's last collections walk every object the program still holds (modules, classes, the
# runbook, the state): ~9% of a short `exec`'s instructions, for memory the process gives back anyway. Frozen
# first, they are skipped; what the program closes itself (journal, files, stdout) it closed before this runs.
atexit.register(gc.freeze)


def _report(diagnostics: list[Diagnostic]) -> None:
    from runbook_tui.runbook.diagnostics import diagnostic_lines

    if diagnostics:
        print(diagnostic_lines(diagnostics), file=sys.stderr)


def _load(file: str, params: dict[str, Any]) -> Loaded | None:
    """Load one runbook, printing its problems; None when it is invalid."""
    from runbook_tui.runbook.diagnostics import RunbookInvalid
    from runbook_tui.runbook.loader import load_runbook

    try:
        loaded = load_runbook(file, params)
    except RunbookInvalid as invalid:
        _report(invalid.diagnostics)
        return None
    _report(loaded.warnings)
    return loaded


def cmd_validate(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from runbook_tui.cli.validate_cmd import cmd_validate as validate

    return validate(args.files, params, args.format)


def cmd_new(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from runbook_tui.cli.new_cmd import cmd_new as new

    return new(args.file, args.kind, args.title)


def cmd_schema(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from runbook_tui.runbook.schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


def cmd_plan(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from runbook_tui.runbook.plan import metrics_json, plan_json

    loaded = _load(args.file, params)
    if loaded is None:
        return EXIT_INVALID
    if args.format == "json":
        from runbook_tui.app.plan_connections import connections
        from runbook_tui.app.settings import load_settings

        plan = {**plan_json(loaded.runbook), "connections": connections(loaded.runbook, load_settings()), **metrics_json(loaded.runbook)}
        sys.stdout.write(json_inert(json.dumps(plan, indent=2, ensure_ascii=False)) + "\n")
    elif args.format in ("md", "html"):
        from runbook_tui.report.plan_html import render_plan

        sys.stdout.write(render_plan(loaded.runbook, args.format))
    else:
        from runbook_tui.app.plan_connections import plan_text
        from runbook_tui.app.settings import load_settings

        sys.stdout.write(plan_text(loaded.runbook, load_settings()))
    return EXIT_OK


def cmd_run(args: argparse.Namespace, params: dict[str, Any]) -> int:
    if args.file and args.runbooks:  # the picker's list; with FILE no picker shows (before: --runbooks was dropped without a word)
        print("runbook-tui: run: --runbooks DIR lists runbooks to pick from, and FILE is already picked: give FILE or --runbooks, not both", file=sys.stderr)
        return EXIT_INVALID
    from runbook_tui.ui import launch

    share_at = None
    if args.share and not (args.verifier_key or args.observer_key or args.participants):
        # `run FILE --share ADDR` as the contract writes it: who may join is asked on the mode screen, the address filled in
        share_at, args.share = args.share, None
    options = _session_options(args, params)
    if isinstance(options, int):
        return options
    share, trust = options
    return launch.run(
        args.file, params, solo=args.solo, dry_run=args.dry_run, journal=args.journal, override_window=args.override_window, theme=args.theme,
        runbooks=args.runbooks, share=share, trust=trust, share_at=share_at, settings=args.settings,
    )  # fmt: skip


def _session_options(args: argparse.Namespace, params: dict[str, Any]) -> tuple[Any, Any] | int:
    """(ShareOptions or None, RunTrust) for run, exec and resume; or exit 2 when a key file or a trust setting is unusable."""
    share = _share_options(args)
    if isinstance(share, int):
        return share
    trust = _trust_options(args, params)
    if isinstance(trust, int):
        return trust
    return share, trust


def _trust_options(args: argparse.Namespace, params: dict[str, Any]) -> Any:
    """RunTrust (signing key, allowed signers, the approval asked for; checked against the plan when it renders), or exit 2.

    None for an unshared `exec`, a `rehearse` or a `run --solo` (no verifier can join it), with nothing to sign with, check or require:
    no key, no ssh-agent, no allowed signers, no approval (then nothing would be signed and no verifier's seal awaited):
    it runs without loading the trust modules.
    """
    import os

    from runbook_tui.app.settings import SettingsError, load_settings

    try:
        settings = getattr(args, "settings", None) or load_settings()  # (read once: _main's check)
    except SettingsError as exc:
        print(exc, file=sys.stderr)  # FILE:LINE:COL lines, as _main prints them
        return EXIT_INVALID
    signers_path, approval = getattr(args, "allowed_signers", None), getattr(args, "approval", None)
    asked = args.identity or os.environ.get("SSH_AUTH_SOCK") or signers_path or settings.allowed_signers or approval or settings.require_approval
    shared = getattr(args, "share", None)  # (rehearse is never shared)
    unverifiable = not shared and (args.command in ("exec", "rehearse") or (args.command == "run" and args.solo is not None))
    if unverifiable and not asked:
        return None
    from runbook_tui.trust.run_trust import TrustRefused, prepare

    try:
        return prepare(identity=args.identity, signers_path=signers_path, approval=approval, settings=settings)
    except TrustRefused as exc:
        print(f"runbook-tui: {visible(str(exc))}", file=sys.stderr)  # a key's or a file's name may hold escapes
        return EXIT_INVALID


def _share_options(args: argparse.Namespace) -> Any:
    """ShareOptions for --share (None without it), or an exit code when the key files are unusable or name nobody's
    way in (keys without --share were dropped without a word: the mode screen asked for them again, exec ran unshared)."""
    keys = (args.verifier_key, args.observer_key, args.participants)
    if not (args.share or any(keys)):
        return None  # (before the share's modules load: an unshared run starts without them)
    from runbook_tui.app.sharing import KEY_OPTIONS, share_options
    from runbook_tui.share.participants import ParticipantsError

    if not args.share:
        given = ", ".join(f"--{option}" for option, value in zip(KEY_OPTIONS, keys, strict=True) if value)
        print(f"runbook-tui: {given} without --share ADDR: nobody can join a run that is not shared (give --share ADDR, or leave {given} out)", file=sys.stderr)
        return EXIT_INVALID
    try:
        options = share_options(args.share, args.verifier_key, args.observer_key, args.participants)
    except ParticipantsError as exc:
        print(exc, file=sys.stderr)  # FILE:LINE:COL: ... lines, as validate prints a runbook's
        return EXIT_INVALID
    verifiers = [person.name for person in options.participants if person.role == "verifier"]
    if getattr(args, "solo", None) and verifiers:  # (before: bob joined a solo run as its verifier and refused go-aheads nobody asked for)
        print(
            f"runbook-tui: --solo runs without a verifier, and the share lets {', '.join(verifiers)} join as one: to let them watch,"
            " give their key with --observer-key; to have them confirm each step, leave out --solo",
            file=sys.stderr,
        )
        return EXIT_INVALID
    return options


def cmd_replay(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from runbook_tui.ui import launch

    if (args.out and not args.practice) or (args.mark_scenario is not None and (args.practice or args.out)):
        # (before: `--out` without --practice saved nothing, silently; --mark-scenario dropped --practice)
        print("runbook-tui: replay: --out goes with --practice; --mark-scenario goes alone", file=sys.stderr)
        return EXIT_INVALID
    if args.mark_scenario is not None:
        from runbook_tui.app import practice
        from runbook_tui.app.session import SessionError

        try:
            path = practice.mark_scenario(args.journal, args.mark_scenario)
        except SessionError as exc:
            print(f"runbook-tui: {visible(str(exc))}", file=sys.stderr)  # the journal's name may hold escapes
            return exc.code
        print(visible_line(f"marked as a practice scenario: {path}"))
        return EXIT_OK
    return launch.replay(args.journal, practice=args.practice, speed=args.speed or 1.0, theme=args.theme, out=args.out)


def cmd_join(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from runbook_tui.ui import join

    return join.join(args.address, observe=args.observe, identity=args.identity, known_hosts=args.known_hosts, accept=args.accept_fingerprint)


def cmd_exec(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from runbook_tui.app import headless

    options = _session_options(args, params)
    if isinstance(options, int):
        return options
    share, trust = options
    return headless.cmd_exec(
        args.file, params, solo=args.solo, journal=args.journal, on_failure=args.on_failure,
        override_window=args.override_window, dry_run=args.dry_run, share=share, trust=trust,
        ack_manual=args.ack_manual, accept_criteria=args.accept_failed_criteria,
    )  # fmt: skip


def cmd_resume(args: argparse.Namespace, params: dict[str, Any]) -> int:
    """In a terminal, the TUI at the step where the run stopped; decisions given as flags, or no terminal: headless."""
    from runbook_tui.app import headless

    if args.full and args.decision != "rollback":
        print("runbook-tui: resume: --full goes with --rollback", file=sys.stderr)
        return EXIT_INVALID
    decision = "mark-done" if args.reason else args.decision
    options = _session_options(args, params)
    if isinstance(options, int):
        return options
    share, trust = options
    refused = trust and trust.resume_refusal(args.journal, forward=decision != "rollback", operator=_operator(), solo=bool(args.solo))
    if refused:
        print(f"runbook-tui: {refused}", file=sys.stderr)  # before anything is journaled (require_approval: true)
        return EXIT_INVALID
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if interactive and not (args.headless or decision or args.go_on or args.lift_pause):
        from runbook_tui.ui import launch

        return launch.resume(
            args.journal, theme=args.theme, solo=args.solo, share=share, trust=trust, override_window=args.override_window, settings=args.settings
        )
    from runbook_tui.engine.autopilot import Policy

    policy = Policy(on_failure=args.on_failure, ack_manual=args.ack_manual, accept_criteria=args.accept_failed_criteria, command="resume")
    choice = headless.ResumeChoice(decision, args.reason or "", args.full, args.go_on, args.solo, share, policy, trust, args.lift_pause, args.override_window)
    return headless.cmd_resume(args.journal, choice)


def _operator() -> str:
    """Who is at the keyboard, for the two-person rule before `resume` journals anything; "" when the name is unusable
    (the session refuses to open with its own words)."""
    from runbook_tui.app.session import SessionError, operator_name

    try:
        return operator_name()
    except SessionError:
        return ""


def cmd_rehearse(args: argparse.Namespace, params: dict[str, Any]) -> int:
    trust = _trust_options(args, params)
    if isinstance(trust, int):
        return trust
    from runbook_tui.app.rehearse_cmd import cmd_rehearse as rehearse_file

    return rehearse_file(args.file, params, fail_at=args.fail_at, journal=args.journal, yes=args.yes, ack_manual=args.ack_manual, trust=trust)


def cmd_preflight(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from runbook_tui.app.preflight import cmd_preflight as check

    return check(args.file, params, notify_test=args.notify_test)


def cmd_journal(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from runbook_tui.app.journal_verify import cmd_journal_verify

    return cmd_journal_verify(args.journal, args.allowed_signers, args.received)


def cmd_approve(args: argparse.Namespace, params: dict[str, Any]) -> int:
    from runbook_tui.cli.approve_cmd import cmd_approve as approve

    loaded = _load(args.file, params)
    if loaded is None:
        return EXIT_INVALID
    from runbook_tui.runbook.diagnostics import RunbookInvalid

    try:
        loaded.ready()  # a signed approval of ticket CHG-0000 by EDIT-verifier approves nothing
    except RunbookInvalid as draft:
        _report(draft.diagnostics)
        return EXIT_INVALID
    return approve(loaded, identity=args.identity, signers_path=args.allowed_signers, output=args.output or f"{args.file}.approval", solo=args.solo)


def cmd_report(args: argparse.Namespace, params: dict[str, Any]) -> int:
    if args.format == "cast" and args.allowed_signers:  # (before: dropped without a word, a missing file not even noticed)
        print(
            "runbook-tui: report: --allowed-signers says who signed each decision in md, html and json; a cast has no signatures: leave it out", file=sys.stderr
        )
        return EXIT_INVALID
    from pathlib import Path

    from runbook_tui.app.journal_verify import signers_file, unapproved
    from runbook_tui.app.settings import SettingsError, load_settings
    from runbook_tui.engine.files import write_private
    from runbook_tui.report import ReportError, build_report, render
    from runbook_tui.report.cast import render_cast
    from runbook_tui.trust.run_trust import TrustRefused, allowed_signers

    try:
        if args.format == "cast":
            text = render_cast(args.journal)
        else:
            settings = load_settings()
            named, source = signers_file(args.allowed_signers, settings)
            signers = allowed_signers(named)
            text = render(build_report(args.journal, signers, unapproved(args.journal, settings), settings.approvers, source), args.format)
    except SettingsError:
        raise  # its FILE:LINE:COL lines, as every command says them (_main); a "runbook-tui: " before the first broke it
    except (ReportError, TrustRefused) as exc:
        print(f"runbook-tui: {visible(str(exc))}", file=sys.stderr)  # the journal's name may hold escapes
        return EXIT_INVALID
    if args.output is None:
        # Markdown, HTML and the cast show control characters already; JSON keeps the exact text, made visible for a terminal.
        sys.stdout.write(visible(text) if args.format == "json" and sys.stdout.isatty() else text)
        return EXIT_OK
    try:
        write_private(Path(args.output), text)  # 0600 from the start, like the journal it is made from
    except OSError as exc:
        from runbook_tui.engine.disk_words import said

        print(visible_line(said(f"runbook-tui: cannot write {args.output}: {exc.strerror}", exc.errno, Path(args.output), "output")), file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, params: dict[str, Any]) -> int:
    import datetime as dt
    from pathlib import Path

    from runbook_tui import demo
    from runbook_tui.app import headless
    from runbook_tui.app.settings import default_journal_path

    if "sandbox" in params:
        print("runbook-tui: the demo makes its own sandbox; drop -p sandbox=...", file=sys.stderr)
        return EXIT_INVALID
    if (args.share or args.verifier_key) and (args.exec or not (args.share and args.verifier_key)):
        print("runbook-tui: demo: --share ADDR goes with --verifier-key KEY.pub (who confirms each step), in the TUI (not --exec)", file=sys.stderr)
        return EXIT_INVALID
    options = _session_options(args, params) if args.share else (None, None)
    if isinstance(options, int):
        return options
    if not args.exec:
        from runbook_tui.ui.terminal import not_a_terminal

        if not_a_terminal("demo", "runbook-tui demo --exec runs it without one, events as lines on stdout."):
            return EXIT_INVALID  # before its sandbox is made
    now = dt.datetime.now(dt.UTC)
    if _load(str(demo.RUNBOOK), demo.demo_params(Path("/sandbox"), params, now)) is None:
        return EXIT_INVALID  # a bad -p value: say so before making anything
    from runbook_tui.demo.metrics import serve_metrics

    try:
        sandbox = demo.new_sandbox(now)
    except OSError as exc:  # (before: a traceback, NotADirectoryError or PermissionError, for a state folder it cannot use)
        from runbook_tui.app.settings import state_dir
        from runbook_tui.engine.disk_words import said

        folder = state_dir() / "demo"
        print(
            visible_line(said(f"runbook-tui: demo: cannot make its sandbox in {folder}: {exc.strerror}", exc.errno, folder / "sandbox", "state")),
            file=sys.stderr,
        )
        return EXIT_INVALID
    journal = str(default_journal_path(demo.RUNBOOK_ID, now))
    print(demo.intro(sandbox, headless=args.exec, params=params, on_failure=args.on_failure, shared=args.share), end="", flush=True)
    # demo-app's metrics endpoint (127.0.0.1, a free port) lives as long as the run; in the TUI the
    # reload makes errors spike so the guard pauses the run (exec has nobody to resume it).
    with serve_metrics(sandbox) as metrics_url:
        values = demo.demo_params(sandbox, params, now, metrics_url=metrics_url, error_spike=not args.exec)
        if args.exec:
            code = headless.cmd_exec(
                str(demo.RUNBOOK), values, solo="demo", journal=journal, on_failure=args.on_failure, override_window=None, dry_run=False,
                ack_manual="the demo's notes are read by nobody in a headless demo",
            )  # fmt: skip
        else:
            from runbook_tui.app.stopped import SignalExit
            from runbook_tui.ui import launch

            if demo.is_interactive():
                try:
                    input("press enter to start (ctrl-c leaves) ")
                except (EOFError, KeyboardInterrupt):
                    print(file=sys.stderr)  # the line of its own, not after the prompt's ^C
                    print(visible_line(f"runbook-tui: demo: left before it started; nothing ran (its folder {sandbox} stays)"), file=sys.stderr)
                    return EXIT_FAILED
            solo, (share, trust) = (None if options[0] else "demo"), options
            code = launch.run(str(demo.RUNBOOK), values, solo=solo, dry_run=False, journal=journal, override_window=None, share=share, trust=trust)
            if code == EXIT_FAILED and not isinstance(code, SignalExit):
                code = EXIT_OK  # a rollback is part of the demo, not a failure; a signal's 1 stands (README's exit codes)
    print(demo.outro(sandbox, Path(journal), params), end="")
    return code


#: Commands that read the settings file (checked first; see settings.py).
NEEDS_SETTINGS = frozenset({"run", "exec", "resume", "rehearse", "preflight", "demo", "replay"})

COMMANDS = {
    "validate": cmd_validate,
    "plan": cmd_plan,
    "schema": cmd_schema,
    "new": cmd_new,
    "run": cmd_run,
    "join": cmd_join,
    "replay": cmd_replay,
    "exec": cmd_exec,
    "resume": cmd_resume,
    "rehearse": cmd_rehearse,
    "preflight": cmd_preflight,
    "journal": cmd_journal,
    "approve": cmd_approve,
    "report": cmd_report,
    "demo": cmd_demo,
}


# Commands that open a screen: no cyclic collections until its first frame is drawn (ThemedApp turns them back on; a
# `resume` that goes on without a screen, as its headless run begins: app/headless.py).
# Start-up makes objects that nearly all live on (modules, classes, the runbook, the widgets): the ~170 collections it
# triggered on `run` (one a full one) walked them for 50-60 ms, a sixth of the CPU to the first frame. This module
# imports little itself, so the runbook package and Textual load inside that pause too.
SCREEN_COMMANDS = frozenset({"run", "resume", "replay", "join"})
#: ... and the headless runs, paused alike until the run begins (app/headless.py freezes what the start built, then turns
#: the collector on): 45 collections walked it on `exec`'s way to its run (bench/output.py's `seq 1`: 6-8 ms of a 90 ms start).
PAUSED_AT_START = SCREEN_COMMANDS | {"exec", "rehearse"}


@quiet_on_broken_pipe
def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    for arg in argv:  # whatever an argument becomes (a parameter, a reason, a path), it may reach the UTF-8 journal
        if (shown := not_utf8(arg)) is not None:
            print(f"runbook-tui: {visible_line(shown)}: expected UTF-8 text; this argument holds bytes that are not (journals are UTF-8)", file=sys.stderr)
            return EXIT_INVALID
    args = parse(argv)
    error_lines.install()
    if (refused := refused_output(args) or runbook_for_journal(args)) is not None:
        print(f"runbook-tui: {refused}", file=sys.stderr)
        return EXIT_INVALID
    if args.command in ANSWER_IN_EXIT_CODE:
        return answer_kept(lambda: _main(args))
    if args.command in PRINTED:
        return refusal_said(lambda: _main(args))
    if args.command not in PAUSED_AT_START:
        return _main(args)
    gc.disable()
    try:
        return _main(args)
    finally:
        gc.enable()


def _main(args: argparse.Namespace) -> int:
    from runbook_tui.runbook.params import ParamError, parse_assignments

    try:
        params = parse_assignments(getattr(args, "params", []))
    except ParamError as exc:
        print(f"runbook-tui: {exc}", file=sys.stderr)
        return EXIT_INVALID
    from runbook_tui.app.settings import SettingsError, load_settings
    from runbook_tui.cli.interrupted import interrupted, signals_said

    try:
        with signals_said(args.command):
            if args.command in NEEDS_SETTINGS:
                args.settings = load_settings()  # checked before anything starts (a wrong value is a usage error, never a traceback), and used
            return COMMANDS[args.command](args, params)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt as exc:
        return interrupted(args.command, getattr(exc, "name", "ctrl-c"))  # (app/stopped.Stopped names its signal)
