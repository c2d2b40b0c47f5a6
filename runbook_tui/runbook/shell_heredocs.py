"""Heredocs for the shell tokenizer (`shell_context`): the `<<` operator, then the bodies after the line.

A quoted delimiter (`<<'EOF'`) keeps its body as written: a value there stays a template and is refused; an
unquoted body is expanded like the inside of "...", and a shell reading it (`sh <<EOF`) parses it again; an
interpreter reading it as its program (`python3 - <<EOF`, see `shell_programs`) runs a value there as its code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runbook_tui.runbook import shell_files as files
from runbook_tui.runbook import shell_programs as programs
from runbook_tui.runbook.shell_places import Word, marker_index
from runbook_tui.runbook.shell_psql import psql_program_reads, psql_raw_reads

if TYPE_CHECKING:
    from runbook_tui.runbook.shell_context import Tokenizer


def operator(tok: Tokenizer, i: int) -> int:
    """`<<DELIM` (or `<<-`) at `i`: its body is read after the line; returns the index after the delimiter."""
    s = tok.s
    i += 2
    strip = tok.at(i, "-")
    if strip:
        i += 1
    while i < len(s) and s[i] in " \t":
        i += 1
    delimiter: list[str] = []
    quoted = False
    while i < len(s) and s[i] not in " \t\n;&|<>()":
        c = s[i]
        if c in "'\"":
            quoted = True
            j = s.find(c, i + 1)
            j = len(s) if j < 0 else j
            delimiter.append(s[i + 1 : j])
            i = j + 1
        elif c == "\\":
            quoted = True
            delimiter.append(s[i + 1 : i + 2])
            i += 2
        else:
            delimiter.append(c)
            i += 1
    text = "".join(delimiter)
    for ch in text:
        tok._mark(ch, "UNKNOWN", {})
    tok.pending_heredocs.append([text, quoted, strip, "", [], "", [], {}])
    return i


def bodies(tok: Tokenizer, i: int, frame: dict[str, bool]) -> int:
    """The bodies of the line's heredocs, from `i`; returns the index after the last delimiter line."""
    pending, tok.pending_heredocs = tok.pending_heredocs, []
    s = tok.s
    for delimiter, quoted, strip, reader, reads, program, targets, psql_variables in pending:
        body: list[Word] = []
        written: list[int] = []  # values in a quoted body, as written
        lines: list[str] = []
        before = set(tok.places)
        while i < len(s):
            j = s.find("\n", i)
            j = len(s) if j < 0 else j
            line = s[i:j]
            if (line.lstrip("\t") if strip else line) == delimiter:
                i = j + 1
                break
            lines.append(line)
            if quoted:
                for ch in line:
                    index = tok._mark(ch, "QUOTED_HEREDOC", frame)
                    written.extend([] if index is None else [index])
            else:
                body.append(_line(tok, line, frame))
            i = j + 1
        for m in set(tok.places) - before if tok.level == 0 else ():  # what people see of a value there must not end it
            tok.places[m].heredoc, tok.places[m].heredoc_strips = delimiter, strip
        refs = {r for w in body for r in w.refs}  # `v="{{ x }}"; cat > /etc/cron.d/j <<EOF` ... `$v`: what v holds is written too
        files.code_run_later(tok, targets, [m for w in body for m in w.markers + w.expanded_markers], refs)  # `cat > /etc/cron.d/j <<EOF`
        for target in targets:  # `cat > f.sh <<EOF`: the body is written there (`shell_files`)
            files.store(tok, target, [m for w in body for m in w.markers + w.expanded_markers], refs)
        for name in reads:  # `read n <<EOF`
            tok.flow.assign(name, [m for w in body for m in w.markers + w.expanded_markers], [r for w in body for r in w.refs])
        for name in psql_raw_reads("\n".join(lines), psql_variables):  # `psql -v t="{{ x }}" <<'SQL'` reading `:t`
            for m in psql_variables[name]:
                tok.places[m].code_of = tok.places[m].code_of or "psql"  # SQL code: a plain word (`select ... <= :max`) passes
        for name in psql_program_reads("\n".join(lines), psql_variables):  # `COPY ... TO PROGRAM :'t'`: it names the command
            for m in psql_variables[name]:
                tok.places[m].runs_as = tok.places[m].runs_as or "the command COPY ... PROGRAM runs on the database server"
        if program:  # `python3 - <<EOF`: the body is the interpreter's program (and what its `$v` holds, session 34)
            programs.mark(tok.places, written + [m for w in body for m in w.markers + w.expanded_markers], program)
            for ref in refs:
                tok.flow.code.setdefault(ref, program)
        if reader and body:  # `sh <<EOF`, `ssh host <<EOF`: the expanded body is a script, what its `$v` holds too
            script = Word(cooked=["\n".join(w.text for w in body)], markers=[m for w in body for m in w.markers], refs=sorted(refs))
            script.expanded_markers = [m for w in body for m in w.expanded_markers]
            tok._reparse([script], f"{reader} reading a heredoc")
    return i


def _line(tok: Tokenizer, line: str, frame: dict[str, bool]) -> Word:
    """One line of an unquoted heredoc: expanded like the inside of "...", but a `"` is just a character."""
    sub = type(tok)(line, tok.places, tok.level, tok.flow)
    word = Word()
    k = 0
    while k < len(line):
        c = line[k]
        if c == "\\" and k + 1 < len(line) and line[k + 1] in "$`\\":
            word.cooked.append(line[k + 1])
            k += 2
        elif c in "$`":
            k = sub._expansion(k, word, {**frame, "hd": True}, quoted=True)
        else:
            word.cooked.append(c)
            sub._direct(c, "QUOTED", frame, word)
            index = marker_index(c) if tok.level == 0 else None
            if index is not None:
                tok.places[index].heredoc_body = True
            k += 1
    return word
