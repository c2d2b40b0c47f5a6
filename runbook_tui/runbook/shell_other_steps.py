"""A value picking what one step places in a folder another step runs from: `tar -xzf /srv/releases/{{ v }}.tgz -C
/srv/app` in one step, `/srv/app/migrate.sh` in the next.

Within one command, a value picking what a copy, a link, an archive or a download places is one file or folder name
when the command then runs from there (`shell_files._run`; sessions 37, 38), but each step was read alone: with v =
`../upload`, `runbook-tui exec` of the two steps above ran the uploaded migrate.sh. At load, with the values, a step
whose command places files that way is read again knowing where the other steps run code (`load_other_steps`): a
program or script path in their `run` and `undo` (`/srv/app/migrate.sh`, `sh /srv/app/m.sh`, `python3 /srv/app/x.py`), a
folder they change to (`cd /srv/app`, `make -C /srv/app`) and their `cwd`. A value picking what lands in such a folder
is one file or folder name. A restore or a backup no other step runs from takes any value, as before (`cp -a
{{ dir }}/app.conf /srv/backup/` with an undo copying it back: a path is named there, nothing is run).
"""

from __future__ import annotations

import posixpath
import re

from runbook_tui.runbook import lazy_re

#: An absolute path written in a text (up to a quote, a space, a template's `{`, an operator).
_PATH = lazy_re.compile(r"(?<![\w.~$/-])/[\w.@%+,:=/-]*")
#: An absolute path (up to a quote, a space, a template's `{`, an operator) where a command runs code from it: as the
#: command (after a line's start, `;`, `&&`, `|`, `(`, `then`, `do`, a wrapper and its options: `sudo -u app PATH`), as
#: a shell's or an interpreter's script, as a folder it changes to (`cd`, `make -C`, `git -C`).
_RUN_PATH = lazy_re.compile(
    r"(?:(?:^|[;&|(`]|\b(?:then|do|else|sudo|exec|env|nohup|nice|time|timeout|sh|bash|dash|zsh|ksh|python3?|perl|ruby|node|php"
    r"|source|cd|pushd|git|make)\b)(?:[ \t]+(?:-[\w-]+(?:=[^\s/]\S*|[ \t]+[^-\s/]\S*)?|[A-Za-z_]\w*=\S*|\d+[smh]?))*[ \t]*|--directory=|(?<![\w/-])\.[ \t]+)"
    r"(/[\w.@%+,:=/-]*)",
    re.MULTILINE,
)


def paths_run(text: str) -> set[str]:
    """The absolute paths `text` runs code from (`_RUN_PATH`), as the kernel reads them (`/srv//app/./bin`: `/srv/app/bin`)."""
    return {path for found in _RUN_PATH.findall(text) if (path := posixpath.normpath(found)) != "/"}


def paths(text: str) -> set[str]:
    """The absolute paths a text names (a step's `cwd`: its commands run there)."""
    return {path for found in _PATH.findall(text) if (path := posixpath.normpath(found)) != "/"}


def runs_under(folder: str, named: frozenset[str]) -> bool:
    """Whether one of the paths `named` (the other steps') is the absolute `folder` or in it."""
    if not named or not folder.startswith("/"):
        return False
    folder = posixpath.normpath(folder)
    return folder != "/" and any(path == folder or path.startswith(f"{folder}/") for path in named)
