"""dpkg options apt passes on: `apt-get -o Dpkg::Options::=--{{ x }} install ...`.

apt adds each `Dpkg::Options` entry to dpkg's command line, and dpkg's `--pre-invoke=CMD`, `--post-invoke=CMD` and
`--status-logger=CMD` run CMD through `sh -c` (`--admindir`, `--root`, `--instdir` pick the maintainer scripts it runs).
A value after the option's `=` is code already (`shell_commands.command_arguments`: a plain word only), but one in the
option's name was not: `--{{ x }}` with x = `pre-invoke=reboot` is a plain word, and dpkg ran reboot. A value there that
could complete such a name (after `--`, `--pre-`, or as the whole entry) is refused at validate; one that cannot
(`--force-conf{{ x }}`: `new`, `old`, `def`) passes.
"""

from __future__ import annotations

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.shell_places import MARKERS, marker_index

#: dpkg's options that run a command or pick the scripts it runs.
_RUNNING = ("--pre-invoke", "--post-invoke", "--status-logger", "--admindir", "--root", "--instdir")
_DPKG_OPTIONS = lazy_re.compile(r"(?i)dpkg::options(?:::)?\s*=")

WHY = "the name of a dpkg option apt passes on (Dpkg::Options), where it could make --pre-invoke=CMD or --post-invoke=CMD, which run CMD"


def option_name_values(text: str) -> list[int]:
    """The values in the name of the dpkg option a word of apt's `-o Dpkg::Options::=OPTION` gives, where the text written
    before them could still become a name in `_RUNNING` (`--`, `-`, nothing, `--pre-`)."""
    setting = _DPKG_OPTIONS.search(text)
    if setting is None:
        return []
    name = text[setting.end() :].partition("=")[0]
    found: list[int] = []
    for value in MARKERS.finditer(name):
        before = MARKERS.sub("", name[: value.start()])
        index = marker_index(value.group())
        if index is not None and any(option.startswith(before) for option in _RUNNING):
            found.append(index)
    return found
