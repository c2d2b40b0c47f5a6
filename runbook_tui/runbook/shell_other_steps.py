"""A value picking what one step places in a folder another step runs from: `tar -xzf /srv/releases/{{ v }}.tgz -C
/srv/app` in one step, `/srv/app/migrate.sh` in the next.

Within one command, a value picking what a copy, a link, an archive or a download places is one file or folder name
when the command then runs from there (`shell_files._run`; sessions 37, 38), but each step was read alone: with v =
`../upload`, `runbook-tui exec` of the two steps above ran the uploaded migrate.sh. At load, with the values, a step
whose command places files that way is read again knowing the absolute paths the other steps name in their `run`,
`undo` and `cwd` (`load_other_steps`): a value picking what lands in a folder another step names a path in (`/srv/app`,
`/srv/app/bin/migrate`) is one file or folder name. A restore no other step names takes any value, as before.
"""

from __future__ import annotations

import posixpath

from runbook_tui.runbook import lazy_re

#: An absolute path written in a text (up to a quote, a space, a template's `{`, an operator).
_PATH = lazy_re.compile(r"(?<![\w.~$/-])/[\w.@%+,:=/-]*")


def paths(text: str) -> set[str]:
    """The absolute paths written in `text`, as the kernel reads them (`/srv//app/./bin` is `/srv/app/bin`); not `/`."""
    return {path for found in _PATH.findall(text) if (path := posixpath.normpath(found)) != "/"}


def runs_under(folder: str, named: frozenset[str]) -> bool:
    """Whether one of the paths `named` (the other steps') is the absolute `folder` or in it."""
    if not named or not folder.startswith("/"):
        return False
    folder = posixpath.normpath(folder)
    return folder != "/" and any(path == folder or path.startswith(f"{folder}/") for path in named)
