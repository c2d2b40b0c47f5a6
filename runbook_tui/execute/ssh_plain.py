"""A plain command (a program and literal words) run by the wrapper itself, without a `sh -c` between.

The runbook format runs a step's command with `sh -c` (runbook-format.md). For a command of literal words only, no
quote, expansion, redirection, operator or glob, and whose first word names a program (no builtin, keyword, function
or assignment), `sh -c 'prog a b'` parses the words and execs `prog` with them in its own process (dash and bash do
not fork for it), so the program's argv, environment, working directory, parent (the wrapper), process group,
signals and exit status are those the wrapper gives it when it runs `command prog a b` itself: the same shell
binary parses the same words. What goes is one program start a command on the host (the `sh`: ~0.8-1.0 ms of a
host's CPU in this VM; `true` runs as the shell's builtin, as `sh -c true` runs it). A program that is not there is
said as `eval: prog: not found` (dash) where `sh -c` said `prog: not found`; the status is 127 either way.
`command` skips the wrapper's own shell functions (`say`, `info`, ...): a program named so runs, as under `sh -c`.
Anything else, and every `sudo` step, still goes through `sh -c`.
"""

from __future__ import annotations

from runbook_tui.runbook import lazy_re

#: A program's name, then words; characters no POSIX shell reads as anything but themselves in a plain word (no `$`,
#: quote, backslash, glob, `~`, `#`, brace, operator or newline), the name without `=` (an assignment), `%` (a job)...
_PLAIN = lazy_re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./+-]*(?: +[A-Za-z0-9_./:,@%+=-]+)* *")

#: ... and not a word a shell reads otherwise than as a program: the builtins and reserved words of the shells an `sh`
#: is (dash, bash, ksh and mksh, busybox ash, FreeBSD sh, zsh), which may change the wrapper's own state (`exit`, `cd`,
#: `exec`, `trap`, `umask`, `set`, `read`, ...) or differ from the program of that name. `true`, `false` and `:`
#: change nothing and run as builtins either way, so they stay plain.
_SHELL_WORDS = frozenset(
    """
    . [ [[ ]] { } ! alias autoload bg bind break builtin bye caller case cd chdir command compgen complete compopt
    continue coproc declare dirs disown do done echo elif else emulate enable esac eval exec exit export fc fg fi for
    function functions getopts hash help history if in integer jobs kill let limit local logout mapfile nameref
    newgrp popd print printf pushd pwd r read readarray readonly realpath rename return select set setopt setvar shift
    shopt source suspend test then time times trap type typeset ulimit umask unalias unhash unlimit unset unsetopt
    until wait whence where which while
    """.split()
)


def plain_call(text: str) -> str | None:
    """The wrapper's shell words that run `text` itself (`command prog a b`), or None when `text` is not a plain
    command and needs its own `sh -c`."""
    if not _PLAIN.fullmatch(text):
        return None
    return None if text.split(" ", 1)[0] in _SHELL_WORDS else f"command {text}"
