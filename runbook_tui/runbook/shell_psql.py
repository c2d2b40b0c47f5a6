"""psql's variables (`psql -v t="{{ x }}"`) and where the SQL it reads puts their text as code.

`:t` pastes the value as is (SQL code; in backticks, shell); `:'t'` quotes it as a literal and `:"t"` as a name, which
is data, unless the literal is itself a command or SQL: `COPY ... TO PROGRAM :'t'` runs the value as a shell command on
the server, and `\\gexec` runs each value the query returns as SQL (`select format('select %s', :'t') \\gexec`). Checked
against PostgreSQL 15: both ran `touch F` from the value. (psql does not interpolate in `\\!` nor `\\copy`.)
"""

from __future__ import annotations

from collections.abc import Iterable

from runbook_tui.runbook import lazy_re

#: A psql variable read as raw text (`:t`; not `:'t'`, a quoted literal, nor `:"t"`, an identifier; `::int` is a cast).
_PSQL_RAW = lazy_re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")
#: A psql variable read in any form (`:t`, `:'t'`, `:"t"`), and one read as the program `COPY ... PROGRAM` runs.
_PSQL_ANY = lazy_re.compile(r"(?<![:\w]):['\"]?([A-Za-z_][A-Za-z0-9_]*)")
_PSQL_PROGRAM = lazy_re.compile(r"(?i)\bprogram\s+:['\"]?([A-Za-z_][A-Za-z0-9_]*)")


def psql_variables(words: list[str], start: int) -> dict[str, int]:
    """The variables the psql at `start` sets (`-v t=V`, `-vt=V`, `--set=t=V`, `--variable t=V`): name -> word index."""
    if start >= len(words) or words[start].rpartition("/")[2] != "psql":
        return {}
    found: dict[str, int] = {}
    for k in range(start + 1, len(words)):
        word, before = words[k], words[k - 1]
        if before in ("-v", "--set", "--variable") and k - 1 > start:
            assignment = word
        elif word.startswith(("--set=", "--variable=")):
            assignment = word.partition("=")[2]
        elif word.startswith("-v") and len(word) > 2 and not word.startswith("--"):
            assignment = word[2:]
        else:
            continue
        name, equals, _value = assignment.partition("=")
        if equals and name:
            found[name] = k
    return found


def psql_raw_reads(sql: str, names: Iterable[str]) -> list[str]:
    """Which of the psql variables `names` the text reads as code: as raw text (`select :t`, `` \\set r `echo :t` ``),
    or anywhere in a text that runs query output as SQL (`\\gexec`)."""
    read = {m.group(1) for m in (_PSQL_ANY if "\\gexec" in sql else _PSQL_RAW).finditer(sql)}
    return sorted(read & set(names))


def psql_program_reads(sql: str, names: Iterable[str]) -> list[str]:
    """Which of the psql variables `names` the text reads as the command `COPY ... TO|FROM PROGRAM :'t'` runs."""
    return sorted({m.group(1) for m in _PSQL_PROGRAM.finditer(sql)} & set(names))
