"""Where a simple command's command word is: behind reserved words, assignments, wrappers and runners.

`command_start` looks behind reserved words (`if`, `while`, `coproc NAME {`), assignments (`A=1`), wrappers that run the
rest of their words as a command (`sudo -u x`, `env A=1`, `timeout 5`, `xargs -I{}`) and runners (`docker exec C`,
`kubectl exec POD --`, `flock FILE`: `shell_runners`). Used by `shell_commands` and the other `shell_*` modules.
"""

from __future__ import annotations

from runbook_tui.runbook.shell_runners import RUNNERS, runner_command

#: Commands that run the rest of their words as a command; value: options that take an argument.
WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset(
        {
            "-u",
            "-g",
            "-C",
            "-D",
            "-h",
            "-p",
            "-r",
            "-t",
            "-U",
            "-R",
            "-T",
            "--user",
            "--group",
            "--close-from",
            "--chdir",
            "--host",
            "--prompt",
            "--role",
            "--type",
            "--other-user",
            "--chroot",
            "--command-timeout",
        }
    ),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir"}),
    "nice": frozenset({"-n"}),
    "nohup": frozenset(),
    "time": frozenset({"-f", "-o", "--format", "--output"}),  # bash's `time -p` and GNU time's options
    "exec": frozenset({"-a"}),
    "command": frozenset(),
    "builtin": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "setsid": frozenset(),
    "ionice": frozenset({"-c", "-n", "-p"}),
    "chrt": frozenset(),
    "xargs": frozenset({"-I", "-n", "-P", "-d", "-L", "-E", "-s", "-a"}),
    "timeout": frozenset({"-k", "-s", "--kill-after", "--signal"}),
    "sshpass": frozenset({"-p", "-f", "-d", "-P"}),
    "chroot": frozenset({"--userspec", "--groups"}),
    "taskset": frozenset(),
    "chpst": frozenset({"-u", "-U", "-b", "-e", "-/", "-C", "-n", "-l", "-L", "-m", "-d", "-o", "-p", "-f", "-c", "-r", "-t"}),
    "unbuffer": frozenset(),
    "proxychains": frozenset({"-f"}),
    "proxychains4": frozenset({"-f"}),
    "torsocks": frozenset({"-u", "-p", "-a", "-P"}),
}
#: Wrappers whose first operand is theirs, not the command's (`timeout 5 CMD`, `chroot DIR CMD`, `taskset MASK CMD`).
_WRAPPER_OPERAND = frozenset({"timeout", "chroot", "taskset"})

#: Reserved words a command may follow (`if eval ...`, `while read n`, `{ sh -c ...; }`); `((` and `[[` after them are
#: arithmetic and a test, as at a command's start.
COMPOUND_START = frozenset({"if", "then", "elif", "else", "while", "until", "do", "!", "time", "{", "coproc"})
#: What may follow `coproc NAME`: bash takes a NAME only before a compound command (`coproc RUNNER { eval ...; }`).
_COPROC_COMPOUND = frozenset({"{", "if", "while", "until", "for", "select", "case", "[["})


def basename(word: str) -> str:
    """`posixpath.basename` of a word (the text after the last `/`), without its generic path handling."""
    return word.rpartition("/")[2]


def _bundle_takes_next(word: str, options: frozenset[str]) -> bool:
    """`sudo -iu postgres`, `sudo -Eu app`: short flags ending in one that takes the next word as its argument (a
    letter taking one earlier in the bundle takes the rest of the word: `-upostgres`)."""
    if word.startswith("--") or len(word) < 3:
        return False
    at = next((i for i, letter in enumerate(word[1:], 1) if f"-{letter}" in options), None)
    return at == len(word) - 1


def command_start(words: list[str]) -> int:
    """Index of the command word behind reserved words, assignments, wrappers (`if`, `sudo -u x`, `env A=1`, `timeout 5`)
    and runners (`docker exec C`, `kubectl exec POD --`, `flock FILE`: `shell_runners`)."""
    k = 0
    while k < len(words):
        text = words[k]
        if (text in COMPOUND_START and text != "time") or ("=" in text and text.split("=", 1)[0].isidentifier()):
            k += 1
            if text == "coproc" and k + 1 < len(words) and words[k].isidentifier() and words[k + 1] in _COPROC_COMPOUND:
                k += 1  # `coproc NAME { ...; }`: the coprocess's name, then its command
            continue
        name = basename(text)
        options = WRAPPERS.get(name)
        if options is None:
            behind = runner_command(words, k) if name in RUNNERS else None  # `docker exec C CMD`, `flock FILE CMD`
            if behind is None:
                return k
            k = behind
            continue
        k += 1
        while k < len(words) and words[k].startswith("-") and words[k] != "--":
            k += 2 if words[k] in options or _bundle_takes_next(words[k], options) else 1
        if k < len(words) and words[k] == "--":
            k += 1
        if name in _WRAPPER_OPERAND and k < len(words):
            k += 1  # the duration, the new root, the CPU mask
        if name in ("chrt", "ionice") and k < len(words) and words[k].isdigit():
            k += 1
    return k
