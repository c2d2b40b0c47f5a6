"""The files a command writes, checked before anything is read or run: a name, a folder that exists, never a file the
command reads, a journal or a runbook."""

from __future__ import annotations

import argparse
import os
import shlex

from runbook_tui.runbook.safe_text import visible_line


def file_name(value: str) -> str:
    """A file the command writes or a file naming who is who: a name, not an empty one (`--journal "$JOURNAL"` with the
    variable unset sent the journal to the default place while the script read ""; `--allowed-signers "$SIGNERS"` fell
    back to the settings' file, or to no check of who signed at all)."""
    if not value:
        raise argparse.ArgumentTypeError("expected a file name, got an empty one")
    return value


def new_file(value: str) -> str:
    """A file `report -o`, `approve -o` or `replay --out` writes: its folder must exist (`report -o` always required
    it; it was found out only after the whole report was built, and `--out` when the practice was over). Refused
    here, before anything is read or run. (`--journal` makes its folder, private, as the contract's `--journal PATH`
    always did: a run must not fail to start over a folder; its first line says where the journal is.)"""
    folder = os.path.dirname(file_name(value))
    if folder and not os.path.isdir(folder):
        if os.path.exists(folder):
            raise argparse.ArgumentTypeError(visible_line(f"{folder} is not a folder (a file of that name is there)"))
        raise argparse.ArgumentTypeError(visible_line(f"the folder {folder} does not exist (a mistyped path? if not: mkdir -p {shlex.quote(folder)})"))
    return value


def new_file_not_dash(value: str) -> str:
    """`approve -o` and `replay --out`: a new file (`new_file`), never `-` (it made a file named `-`; their standard
    output is the plan and the prompt, or the screen)."""
    if value == "-":
        raise argparse.ArgumentTypeError("expected a file name, not standard output (./- for a file named '-')")
    return new_file(value)


def report_output(value: str) -> str | None:
    """`report -o`: a new file (`new_file`), or `-` for standard output, as without -o (it made a file named `-`)."""
    return None if value == "-" else new_file(value)


#: What each command writes over, and what it reads: (the option, its attribute, the input's attribute).
_WRITTEN_AND_READ = {"report": ("-o", "output", "journal"), "approve": ("-o", "output", "file"), "replay": ("--out", "out", "journal")}


def refused_output(args: argparse.Namespace) -> str | None:
    """Why the file a command would write must not be written, or None: it is a file the command reads (`report
    j.jsonl -o j.jsonl`, a completion one key short of j.md, replaced the night's journal, the change record, with its
    report; `report j.jsonl -o rb.yaml` the session's runbook), or it holds a journal (`report b.jsonl -o a.jsonl`
    replaced another run's record), or a runbook (`report j.jsonl -o next-change.yaml`). An earlier report there is
    written over: reports are made again."""
    option, written, read = _WRITTEN_AND_READ.get(args.command, ("", "", ""))
    output, source = getattr(args, written, None), getattr(args, read, None)
    if not (output and source):
        return None
    from runbook_tui.engine.journal_file import holds_journal  # (only when a command writes a file)
    from runbook_tui.runbook.folders import holds_runbook

    for path, what in _read_files(args, source, journal=read == "journal"):
        try:  # the output itself, not what a symbolic link there points to (writing refuses to follow one, in its own words)
            if os.path.samestat(os.lstat(output), os.stat(path)):
                return visible_line(f"{args.command}: {option} {output} is {what}: writing there would replace what it reads; expected another file")
        except (OSError, ValueError):  # either one missing (or a name with a NUL, from a hostile journal): nothing read is written over
            pass
    if holds_journal(output):
        return visible_line(f"{args.command}: {option} {output} holds a journal, a run's record: writing there would destroy it; expected another file")
    if holds_runbook(output):
        return visible_line(f"{args.command}: {option} {output} holds a runbook: writing there would destroy it; expected another file")
    return None


def _read_files(args: argparse.Namespace, source: str, *, journal: bool) -> list[tuple[str, str]]:
    """The files the command reads, each with how to name it: its input; the runbook the `journal`'s session_started
    records (where `resume` and `practice` find it); a `-p NAME=@FILE`; the keys and signers its options name."""
    from runbook_tui.app.runbook_place import runbook_file
    from runbook_tui.engine.journal_file import first_event

    files = [(source, f"{source} itself")]
    if journal and (recorded := first_event(source)) is not None and "file" in recorded:
        runbook = runbook_file(source, recorded)
        files.append((runbook, f"the runbook of the session {source} records ({runbook})"))
    for item in getattr(args, "params", []):
        name, _, value = item.partition("=")
        if value.startswith("@") and not value.startswith("@@"):  # `@@TEXT` is the value `@TEXT`, no file
            files.append((value[1:], f"the file -p {name}=@{value[1:]} reads"))
    for option, attribute in (("--identity", "identity"), ("--allowed-signers", "allowed_signers")):
        if given := getattr(args, attribute, None):
            files.append((given, f"the file {option} names"))
    return files
