"""The `runbook-tui` command's arguments: one parser, each subcommand's arguments built by its own function.

Building every subcommand is most of argparse's cost (a parser each, with its
translated texts looked up, and hundreds of `add_argument` calls); a process runs
one command, so `parser(argv)` builds only the command `argv` names. Without a
known command first (`runbook-tui --help`, a typo), it builds them all: only then
is the list of commands printed.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

from runbook_tui import __version__
from runbook_tui.cli.output_files import file_name, new_file_not_dash, report_output
from runbook_tui.runbook.safe_text import visible_line


def reason(value: str) -> str:
    """A REASON option's value: it goes into the journal and the report, so a blank one is refused (as the TUI refuses it)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("needs a reason (it goes into the journal and the report), got a blank one")
    return value.strip()


def address(value: str) -> str:
    """`--share ADDR`: an empty one (`--share "$ADDR"` with the variable unset) ran unshared, or was told there was no
    --share at all; refused as given."""
    if not value.strip():
        raise argparse.ArgumentTypeError("expected HOST:PORT, :PORT or PORT, got an empty one")
    return value


def speed(value: str) -> float:
    """`replay --speed X`: a finite number above 0 (nan or inf would stall or spin the playback)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {value!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number above 0, got {value!r}")
    return number


def with_params(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "-p", dest="params", action="append", default=[], metavar="NAME=VALUE",
        help="a parameter value; NAME=@FILE reads it from a file, NAME=@@TEXT gives the value @TEXT (repeatable, each NAME once)",
    )  # fmt: skip


def journal_path(value: str) -> str:
    """`--journal PATH`: a file name; `-` wrote the journal to a file named `-` in the current folder (`journal: -`)."""
    if value == "-":
        raise argparse.ArgumentTypeError(
            "a journal is a file (fsynced as the run goes, and reopened by resume), not standard output; expected a file name (./- for a file named '-')"
        )
    return file_name(value)


def with_journal(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--journal", type=journal_path, metavar="PATH", help="where the journal goes (a missing folder is made, private; default: the state folder)"
    )


def with_participants(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--verifier-key", type=file_name, action="append", default=[], metavar="FILE", help="public key of a verifier who may join (repeatable)")
    sub.add_argument("--observer-key", type=file_name, action="append", default=[], metavar="FILE", help="public key of a read-only observer (repeatable)")
    sub.add_argument("--participants", type=file_name, metavar="FILE", help="YAML list of {name, role: verifier|observer, key}")


def with_trust(sub: argparse.ArgumentParser, *, approval: bool = True) -> None:
    sub.add_argument("--identity", type=file_name, metavar="KEY", help="your private key: signs your decisions and seals (default: the ssh-agent's first key)")
    sub.add_argument(
        "--allowed-signers", type=file_name, metavar="PATH", help="OpenSSH allowed_signers file: who is who (overrides allowed_signers: in settings)"
    )
    if approval:
        sub.add_argument(
            "--approval", type=file_name, metavar="FILE", help="start only if this signed approval (runbook-tui approve) is for exactly the plan rendered now"
        )


def with_on_failure(sub: argparse.ArgumentParser, when: str) -> None:
    sub.add_argument(
        "--on-failure", choices=("stop", "rollback", "abort"), default="stop",
        help=f"{when}what a failed step (or a verifier's rollback request) does: stop (default; `resume --rollback` can undo it later), "
        "rollback (to the last checkpoint, as u) or abort (the full rollback)",
    )  # fmt: skip


def with_headless_decisions(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--ack-manual", type=reason, metavar="REASON", help="acknowledge note, ask and confirm steps without a person (journaled on each); refused without it"
    )
    sub.add_argument("--accept-failed-criteria", type=reason, metavar="REASON", help="end done although a metrics.success criterion is not met (journaled)")


def _replay_arguments(replay: argparse.ArgumentParser) -> None:
    replay.add_argument("journal", type=file_name, metavar="JOURNAL")
    replay.add_argument("--practice", action="store_true", help="drive it as assignee with the recorded outputs standing in")
    replay.add_argument(
        "--speed", type=speed, metavar="X", help="playback speed (space plays; + and - change it); with --practice, how fast the night's outputs play"
    )
    replay.add_argument("--theme", metavar="NAME", help="colour theme")
    replay.add_argument("--out", type=new_file_not_dash, metavar="FILE", help="with --practice: save the results as Markdown for the trainer")
    replay.add_argument("--mark-scenario", metavar="DESCRIPTION", help="mark the journal as a practice scenario; trainees read DESCRIPTION first")


def _join_arguments(join: argparse.ArgumentParser) -> None:
    join.add_argument("address", metavar="ADDR", help="HOST:PORT the assignee shares at")
    join.add_argument("--observe", action="store_true", help="join read-only")
    join.add_argument(
        "--identity", type=file_name, metavar="KEYFILE", help="the private key to join and sign your decisions with (default: SSH agent, ~/.ssh/id_*)"
    )
    join.add_argument(
        "--known-hosts", type=file_name, metavar="PATH", help="trusted session host keys (default: settings' ssh.known_hosts, ~/.ssh/known_hosts)"
    )
    join.add_argument("--accept-fingerprint", metavar="SHA256:...", help="trust the session's host key on first contact if it has this fingerprint")


def _validate_arguments(validate: argparse.ArgumentParser) -> None:
    validate.add_argument("files", nargs="+", type=file_name, metavar="FILE", help="a runbook, or a folder: every *.yaml / *.yml in it")
    with_params(validate)
    validate.add_argument("--format", choices=("text", "github"), default="text", help="FILE:LINE:COL lines (default) or GitHub Actions annotations")


def _new_arguments(new: argparse.ArgumentParser) -> None:
    new.add_argument("file", type=file_name, metavar="FILE", help="the runbook to create (never overwritten)")
    new.add_argument(
        "--kind",
        choices=("config-edit", "package-upgrade", "database-migration", "rolling-restart", "k8s-rollout"),
        metavar="KIND",  # the five names in the usage line made `new --help` 108 columns wide; they are listed below
        help="the kind of change: config-edit, package-upgrade, database-migration, rolling-restart or k8s-rollout; without it, asked",
    )
    new.add_argument("--title", metavar="TEXT", help="the runbook's title (a template; default: one for the kind)")


def _plan_arguments(plan: argparse.ArgumentParser) -> None:
    plan.add_argument("file", type=file_name, metavar="FILE")
    with_params(plan)
    shape = plan.add_mutually_exclusive_group()  # `--format md --json` printed JSON, the md asked for dropped silently
    shape.add_argument("--json", dest="format", action="store_const", const="json", help="machine-readable plan (the same as --format json)")
    shape.add_argument(
        "--format", choices=("text", "md", "html", "json"), default="text", help="text (default); md or html: for review by a change board; json"
    )


def _run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument("file", type=file_name, metavar="FILE", nargs="?", help="the runbook; without it, a picker lists ./runbooks and the examples")
    with_params(run)
    run.add_argument("--share", type=address, metavar="ADDR", help="let a verifier join over SSH at ADDR (HOST:PORT, :PORT for all interfaces)")
    with_participants(run)
    run.add_argument("--solo", type=reason, metavar="REASON", help="run without a verifier; every step is recorded unverified")
    run.add_argument("--dry-run", action="store_true", help="execute nothing; walk the flow and see what would run")
    with_journal(run)
    run.add_argument("--runbooks", metavar="DIR", action="append", default=[], help="without FILE: list the runbooks in DIR (a folder or a file; repeatable)")
    run.add_argument("--override-window", type=reason, metavar="REASON", help="start outside the change window or in a blackout (journaled)")
    run.add_argument("--theme", metavar="NAME", help="colour theme: night (default), day, high-contrast, or one from your themes folder")
    with_trust(run)


def _execute_arguments(execute: argparse.ArgumentParser) -> None:
    execute.add_argument("file", type=file_name, metavar="FILE")
    with_params(execute)
    who = execute.add_mutually_exclusive_group(required=True)
    who.add_argument("--solo", type=reason, metavar="REASON", help="run without a verifier; every step is recorded unverified")
    who.add_argument("--share", type=address, metavar="ADDR", help="wait for a verifier joining over SSH at ADDR")
    with_participants(execute)
    with_on_failure(execute, "")
    with_headless_decisions(execute)
    with_journal(execute)
    execute.add_argument("--override-window", type=reason, metavar="REASON", help="start outside the change window or in a blackout (journaled)")
    execute.add_argument("--dry-run", action="store_true", help="execute nothing; show what would run")
    with_trust(execute)


def _resume_arguments(resume: argparse.ArgumentParser) -> None:
    resume.add_argument("journal", type=file_name, metavar="JOURNAL")
    decision = resume.add_mutually_exclusive_group()
    decision.add_argument("--rerun", dest="decision", action="store_const", const="rerun", help="run the unknown step again")
    decision.add_argument("--mark-done", dest="reason", type=reason, metavar="REASON", help="you checked the unknown step by hand: mark it done")
    decision.add_argument(
        "--rollback", dest="decision", action="store_const", const="rollback", help="roll back to the last checkpoint (also a session that ended failed)"
    )
    resume.add_argument("--full", action="store_true", help="with --rollback: the full rollback")
    resume.add_argument("--continue", dest="go_on", action="store_true", help="then run the remaining steps headless")
    resume.add_argument(
        "--lift-pause",
        type=reason,
        metavar="REASON",
        help="lift the pause a guard (or a hold) left the run in, once you have checked (journaled); p in the TUI",
    )
    resume.add_argument(
        "--override-window",
        type=reason,
        metavar="REASON",
        help="go on outside the change window or in a blackout (journaled); a rollback needs none",
    )
    with_on_failure(resume, "with --continue: ")
    with_headless_decisions(resume)
    mode = resume.add_mutually_exclusive_group()
    mode.add_argument("--solo", type=reason, metavar="REASON", help="from now on without a verifier (journaled)")
    mode.add_argument("--share", type=address, metavar="ADDR", help="from now on shared: a verifier may join over SSH at ADDR (journaled)")
    with_participants(resume)
    resume.add_argument("--headless", action="store_true", help="no TUI: print where the run stands (the default without a terminal)")
    resume.add_argument("--theme", metavar="NAME", help="colour theme of the TUI")
    with_trust(resume, approval=False)


def _approve_arguments(approve: argparse.ArgumentParser) -> None:
    approve.add_argument("file", type=file_name, metavar="FILE")
    with_params(approve)
    approve.add_argument("--identity", type=file_name, metavar="KEY", help="the private key to sign with (default: the ssh-agent's first key)")
    approve.add_argument(
        "--allowed-signers",
        type=file_name,
        metavar="PATH",
        help="OpenSSH allowed_signers file: your name is your key's principal there (default: allowed_signers: in settings)",
    )
    approve.add_argument("-o", dest="output", type=new_file_not_dash, metavar="FILE", help="where to write the approval (default: FILE.approval)")
    approve.add_argument("--solo", type=reason, metavar="REASON", help="it may also run without the ticket's verifier (run/exec --solo); signed, with why")


def _rehearse_arguments(rehearse: argparse.ArgumentParser) -> None:
    rehearse.add_argument("file", type=file_name, metavar="FILE")
    with_params(rehearse)
    rehearse.add_argument("--yes", action="store_true", help="run without asking (scripts); without a terminal it is required")
    rehearse.add_argument("--ack-manual", type=reason, metavar="REASON", help="acknowledge note, ask and confirm steps without a person (journaled on each)")
    rehearse.add_argument("--fail-at", metavar="STEP_ID", help="fail at this step and roll back to its checkpoint")
    with_trust(rehearse)
    with_journal(rehearse)


def _preflight_arguments(preflight: argparse.ArgumentParser) -> None:
    preflight.add_argument("file", type=file_name, metavar="FILE")
    with_params(preflight)
    preflight.add_argument("--notify-test", action="store_true", help="send a test message to every notify URL (settings and runbook)")


def _journal_arguments(journal: argparse.ArgumentParser) -> None:
    journal_commands = journal.add_subparsers(dest="journal_command", required=True, metavar="ACTION")
    journal_verify = journal_commands.add_parser(
        "verify",
        help="check the hash chain and the event sequence; with allowed signers (--allowed-signers, or settings), every signature and the seal",
        description="journal verify checks the hash chain and the event sequence (and, with allowed signers, every signature "
        "and the seal). Exit 0 intact, 1 tampered or cut short (the first broken line named), 2 unreadable.",
    )
    journal_verify.add_argument("journal", type=file_name, metavar="JOURNAL")
    journal_verify.add_argument(
        "--allowed-signers",
        type=file_name,
        metavar="PATH",
        help="OpenSSH allowed_signers file: check signatures, who made them, and the seal (default: allowed_signers: in settings)",
    )
    journal_verify.add_argument(
        "--received",
        type=file_name,
        action="append",
        default=[],
        metavar="COPY",
        help="a verifier's own copy of the events their join received (received/SESSION-NAME.jsonl in their state folder):"
        " the journal must hold each of its events, at the same line (repeatable)",
    )


def _report_arguments(report: argparse.ArgumentParser) -> None:
    report.add_argument("journal", type=file_name, metavar="JOURNAL")
    report.add_argument(
        "--format",
        choices=("md", "html", "json", "cast"),
        default="md",
        help="Markdown (default), one self-contained HTML file, JSON, or cast: an asciicast v2 recording (asciinema play)",
    )
    report.add_argument("-o", dest="output", type=report_output, metavar="FILE", help="write the report to FILE instead of stdout (- for stdout)")
    report.add_argument(
        "--allowed-signers",
        type=file_name,
        metavar="PATH",
        help="OpenSSH allowed_signers file: say who signed each decision (default: allowed_signers: in settings)",
    )


def _demo_arguments(demo: argparse.ArgumentParser) -> None:
    with_params(demo)
    demo.add_argument("--exec", action="store_true", help="run the demo headless (as `exec`), events as lines on stdout")
    demo.add_argument(
        "--on-failure", choices=("stop", "rollback", "abort"), default="abort", help="with --exec: what a failed step does (default: abort, the full rollback)"
    )
    demo.add_argument(
        "--share", type=address, metavar="ADDR", help="the two-person side: a verifier joins over SSH at ADDR (runbook-tui join ADDR) and confirms each step"
    )
    demo.add_argument("--verifier-key", type=file_name, action="append", default=[], metavar="FILE", help="with --share: the verifier's public key")
    # What run's session options read, fixed for the demo: no observers, no signing key asked for, no approval.
    demo.set_defaults(observer_key=[], participants=None, identity=None, allowed_signers=None, approval=None, solo=None)


#: The exit codes of a run, as cli-and-journal.md gives them (run, and resume "as run").
_EXIT_RUN = "Exit 0 done, 1 failed, rolled back, aborted or left unfinished, 2 invalid input."
_EXIT_CHECKED = "Exit 0, 2 invalid input (the runbook or a -p value)."

#: Each subcommand: what `add_parser` is given (its help), and the function adding its arguments.
COMMANDS: dict[str, tuple[dict[str, Any], Callable[[argparse.ArgumentParser], None] | None]] = {
    "replay": (dict(help="a past run, step by step; --practice lets a trainee drive it (nothing is executed)"), _replay_arguments),
    "join": (
        dict(
            help="the TUI as verifier (or observer) of a shared run",
            description="join opens the verifier's screen (an observer's with --observe) of a run the assignee shares "
            "with --share. Exit 0 when you leave, whatever the run's outcome (the assignee's to say), 2 when it could "
            "not join (the reason said: nothing listens there, a host key not the trusted one, no terminal).",
        ),
        _join_arguments,
    ),
    "validate": (
        dict(
            help="check runbooks (files or folders); without -p, required parameters are stood in for",
            description="validate checks each runbook: errors and warnings as FILE:LINE:COL lines on stderr. Exit 0 valid (warnings too), 2 invalid.",
        ),
        _validate_arguments,
    ),
    "new": (dict(help="start a runbook for a kind of change (asks, or --kind)"), _new_arguments),
    "schema": (dict(help="the JSON Schema of the runbook format, for editors: runbook-tui schema > runbook.schema.json"), None),
    "plan": (
        dict(help="the rendered plan: every step, where it runs, command and undo", description=f"plan renders the runbook. {_EXIT_CHECKED}"),
        _plan_arguments,
    ),
    "run": (
        dict(
            help="the TUI, as assignee; without FILE, pick a runbook from a list",
            description="run opens the TUI as assignee. q on an unfinished run prints the resume command. " + _EXIT_RUN,
        ),
        _run_arguments,
    ),
    "exec": (
        dict(
            help="run without a TUI, events as lines on stdout",
            description="exec runs the runbook without a TUI, events as lines on stdout. A guard with on_critical: pause, "
            "or the verifier's hold, stops it with exit 1 and the journal open: check, then `resume JOURNAL --lift-pause "
            "REASON --continue` goes on (or `resume JOURNAL --rollback`). Exit 0 done, 1 failed, rolled back, paused or "
            "stopped, 2 invalid input.",
        ),
        _execute_arguments,
    ),
    "resume": (
        dict(
            help="continue a run whose process died",
            description="resume rebuilds the run from its journal alone. In a terminal, with no decision given, the TUI "
            "opens where the run stands. Otherwise (or with --headless) it is headless: a step that was running when "
            "the process died is unknown and nothing re-runs on its own: --rerun, --mark-done REASON or --rollback "
            "decides, then --continue goes on; with no decision it only says where the run stands. " + _EXIT_RUN,
        ),
        _resume_arguments,
    ),
    "approve": (
        dict(
            help="show the rendered plan and, after yes, write a signed approval of it",
            description="approve shows the rendered plan (every step, host, command and undo, the parameters, where each "
            "remote host resolves to) and asks for yes (typed, or the first line of standard input when it is not a "
            "terminal), then writes the signed approval (0600). run/exec --approval start only if the plan rendered "
            "then is exactly this one. Exit 0 written, 1 not approved, 2 invalid input.",
        ),
        _approve_arguments,
    ),
    "rehearse": (
        dict(
            help="runs the REAL commands on the named hosts: forward, then the rollback, then the prechecks again; reports durations",
            description="rehearse runs the REAL commands of the runbook on the hosts it names (point it at staging), "
            "then rolls back (the undo commands, then the rollback sections; with --fail-at, back to the step's checkpoint) "
            "and runs the prechecks again. In a terminal it shows the plan and the hosts and asks; --yes for scripts. "
            "Exit 0 when the prechecks pass again, 1 when not (or not confirmed), 2 for invalid input.",
        ),
        _rehearse_arguments,
    ),
    "preflight": (
        dict(
            help="before the window: hosts, host keys, sudo, secrets, queries, undo coverage",
            description="preflight checks, before the window, what the run will need; one line per finding. Exit 0 ready, 1 findings, 2 invalid input.",
        ),
        _preflight_arguments,
    ),
    "journal": (dict(help="journal tools"), _journal_arguments),
    "report": (
        dict(
            help="the change record of a run: ticket, who, when, every command and result, rollbacks, metrics, notes",
            description="report writes the change record from the journal alone. Exit 0 written, 2 for a journal that "
            "is unreadable or tampered (one whose last line a crash cut short is still reported, with a warning).",
        ),
        _report_arguments,
    ),
    "demo": (dict(help="try it here: a sample runbook against a sandbox folder; no SSH, no network (--share: a verifier joins)"), _demo_arguments),
}


#: The order `--help` lists the commands in: a new user's first ones first, then a run's, then the record's
#: (it listed replay and join first, demo last).
_HELP_ORDER = ("demo", "new", "validate", "plan", "schema", "run", "join", "exec", "resume", "rehearse", "preflight", "approve", "replay", "report", "journal")
assert sorted(_HELP_ORDER) == sorted(COMMANDS)
COMMANDS = {name: COMMANDS[name] for name in _HELP_ORDER}


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose refusal of a choice names the nearest one (`--kind config`: did you mean 'config-edit'?)."""

    def _check_value(self, action: argparse.Action, value: object) -> None:
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            import difflib  # only for a choice that is wrong

            close = difflib.get_close_matches(str(value), [str(choice) for choice in action.choices or ()], n=1)
            if not close:
                raise
            raise argparse.ArgumentError(action, f"{exc.message}; did you mean '{close[0]}'?") from None


def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv` (the command line without the program): the command it names, or every command when it names none."""
    top = _Parser(
        prog="runbook-tui",
        description="Walk a risky production change step by step, with a verifier, rollback and a journal.",
    )
    top.add_argument("--version", action="version", version=f"runbook-tui {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    named = argv[0] if argv and argv[0] in COMMANDS else None
    for name, (options, add_arguments) in COMMANDS.items():
        if named in (None, name):
            sub = commands.add_parser(name, **options)
            if add_arguments is not None:
                add_arguments(sub)
    return top


def parse(argv: list[str]) -> argparse.Namespace:
    """`argv` parsed, or exit 2 with what was wrong in words a tired person acts on: a misspelt command named with the
    nearest one (argparse listed all fifteen); an option or word the command does not take refused under that
    command's usage, with the nearest option and `COMMAND --help` (argparse showed the top-level usage, which names
    no option at all, and said only `unrecognized arguments`)."""
    top = parser(argv)
    if not argv:  # `runbook-tui` alone, the first thing typed: the commands, not `the following arguments are required`
        top.print_help(sys.stderr)
        top.exit(2, "\nrunbook-tui: give a command; new here? runbook-tui demo\n")
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        import difflib  # only for a name that is wrong: a plain run loads without it

        close = difflib.get_close_matches(argv[0], list(COMMANDS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        top.error(f"unknown command '{visible_line(argv[0])}'{hint} (runbook-tui --help lists the commands)")
    args, extras = top.parse_known_args(argv)
    if extras:
        sub, name = _command_parser(top, args)
        sub.error(_unexpected(extras[0], sub, f"runbook-tui {name} --help"))
    return args


def _command_parser(top: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[argparse.ArgumentParser, str]:
    """The parser of the command `args` holds (`journal verify`'s for journal's action), and how the command is typed."""
    found: argparse.ArgumentParser = top
    name: list[str] = []
    for attribute in ("command", "journal_command"):
        chosen = getattr(args, attribute, None)
        commands = next((a for a in found._actions if isinstance(a, argparse._SubParsersAction)), None)
        if chosen is None or commands is None:
            break
        found, name = commands.choices[chosen], [*name, chosen]
    return found, " ".join(name)


def _unexpected(word: str, sub: argparse.ArgumentParser, help_command: str) -> str:
    """What is wrong with the first word the command did not take, and where to read what it takes."""
    shown = visible_line(word)
    if word.startswith("="):  # `-p name =value`: the shell made two words of one
        return f"unexpected '{shown}': give -p NAME=VALUE as one word, without spaces around '='"
    if word.startswith("-") and len(word) > 1:
        options = [option for option in sub._option_string_actions if option.startswith("--")]
        import difflib  # only for a name that is wrong: a plain run loads without it

        close = difflib.get_close_matches(word.split("=", 1)[0], options, n=1)
        return f"unknown option {shown} ({help_command} lists its options)" + (f"; did you mean {close[0]}?" if close else "")
    return f"unexpected argument '{shown}' ({help_command} lists what it takes; a path with spaces needs quotes)"
