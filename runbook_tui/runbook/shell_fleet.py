"""Commands that hand their words to a shell somewhere else: fleets over SSH and containers with a shell entrypoint.

`pdsh -w HOSTS CMD...`, `clush -w HOSTS CMD...` and `pssh -H HOST CMD...` (`parallel-ssh`) join the words after their
options with spaces and send them to each host, whose shell parses that text again, as `ssh HOST CMD...` does (`pdsh
-w db1 "echo {{ x }}"` with x = `a; touch F` runs touch there); with no command, pdsh and clush read command lines on
stdin. `docker|podman|nerdctl run --entrypoint sh IMAGE -c SCRIPT` gives the shell its `-c` after the image, where
the scan for `sh -c` (`shell_dash_c`) does not see it. Used by `shell_commands.scripts` and `stdin_script_reader`.
"""

from __future__ import annotations

from typing import NamedTuple


class _Fleet(NamedTuple):
    """How a fleet runner's options are written: the ones taking the next word, and the ones that run no command."""

    letters: str  # short options taking an argument (attached, `-wdb1`, or the next word, `-w db1`)
    long_next: frozenset[str]  # long options taking the next word when no `=` is attached
    no_command: frozenset[str]  # options after which the operands are files, not a command (`clush --copy`)


#: As their `--help` lists them (pdsh 2.34, clush 1.9, parallel-ssh 2.3).
_FLEETS: dict[str, _Fleet] = {
    "pdsh": _Fleet("ltufwxRMgXF", frozenset(), frozenset()),
    "clush": _Fleet(
        "sOwxgXftuomRl",
        frozenset(
            {
                "--groupsource",
                "--groupsconf",
                "--conf",
                "--option",
                "--group",
                "--hostfile",
                "--machinefile",
                "--topology",
                "--pick",
                "--color",
                "--outdir",
                "--errdir",
                "--dest",
                "--fanout",
                "--user",
                "--options",
                "--connect_timeout",
                "--command_timeout",
                "--mode",
                "--worker",
                "--remote",
            }
        ),
        frozenset({"-c", "--copy", "--rcopy"}),
    ),
    "pssh": _Fleet(
        "hHlpoetOxXg",
        frozenset({"--hosts", "--host", "--user", "--par", "--outdir", "--errdir", "--timeout", "--option", "--extra-args", "--extra-arg", "--host-glob"}),
        frozenset(),
    ),
    # dancer's shell: `dsh -m db1 -- CMD`, `dsh -a -c CMD` (dsh 0.25)
    "dsh": _Fleet("gfrmoF", frozenset({"--group", "--file", "--remoteshell", "--remoteshellopt", "--machine", "--forklimit"}), frozenset()),
}
_ALIASES = {"parallel-ssh": "pssh"}
#: `knife ssh QUERY CMD`: Chef's knife runs CMD on every node the query finds, through each one's shell; its options
#: taking the next word (mixlib-cli reads options anywhere among the words).
_KNIFE_NEXT = frozenset(
    {"-a", "--attribute", "-C", "--concurrency", "-x", "--ssh-user", "-P", "--ssh-password", "-p", "--ssh-port", "-G", "--ssh-gateway",
     "-i", "--ssh-identity-file", "-E", "--environment", "-s", "--server-url", "-k", "--key", "-u", "--user", "-c", "--config",
     "--prefix-attribute", "--exit-on-error", "--ssh-timeout"}
)  # fmt: skip
#: ssh and the programs that, as it does, join their words after HOST for the host's shell to parse again (`rsh HOST
#: CMD`, HP-UX `remsh`, `rcmd`): more option letters taking an argument than ssh's (autossh `-M PORT`, rsh `-t TIMEOUT`).
SSH_LIKE = {"ssh": "", "autossh": "M", "rsh": "tk", "remsh": "tk", "rcmd": "tk"}
#: The runners, by every name they are called.
FLEETS = frozenset(_FLEETS) | frozenset(_ALIASES) | {"knife"}
#: Container runners whose `--entrypoint` may be a shell.
CONTAINERS = frozenset({"docker", "podman", "nerdctl"})


def fleet_command(name: str, words: list[str], start: int) -> int | None:
    """Index of the first word of the command a fleet runner (`words[start]`, called `name`) sends to its hosts;
    None when it has none (it reads commands on stdin) or runs none (`clush --copy`)."""
    if name == "knife":
        operands = [k for k in range(start + 2, len(words)) if not words[k].startswith("-") and words[k - 1] not in _KNIFE_NEXT]
        return operands[1] if words[start + 1 : start + 2] == ["ssh"] and len(operands) > 1 else None
    spec = _FLEETS[_ALIASES.get(name, name)]
    k = start + 1
    while k < len(words):
        word = words[k]
        if word == "--":
            k += 1
            break
        if not word.startswith("-") or word == "-":
            break
        option = word.partition("=")[0]
        if option in spec.no_command or (not word.startswith("--") and len(word) == 2 and word in spec.no_command):
            return None
        if word.startswith("--"):
            k += 2 if "=" not in word and option in spec.long_next else 1
            continue
        k += 2 if len(word) == 2 and word[1] in spec.letters else 1  # `-w HOSTS`; `-wHOSTS` and `-bS` are one word
    return k if k < len(words) else None


def reads_commands_on_stdin(name: str, words: list[str], start: int) -> bool:
    """pdsh and clush with no command read command lines on stdin (each one run on every host by its shell)."""
    if _ALIASES.get(name, name) in ("pssh", "knife"):
        return False
    spec = _FLEETS[name]
    if any(w.partition("=")[0] in spec.no_command for w in words[start + 1 :]):
        return False
    return fleet_command(name, words, start) is None


def entrypoint_scripts(words: list[str], start: int, shells: frozenset[str]) -> list[int]:
    """`docker run --entrypoint sh IMAGE -c SCRIPT`: the words after each `-c` (or a bundle holding c: `-ec`) that
    follows an entrypoint naming a shell; every such word is taken (an option of `run` itself, `-c 512`, may be one)."""
    for k in range(start + 1, len(words)):
        word = words[k]
        if word.startswith("--entrypoint="):
            entry = word.partition("=")[2]
        elif word == "--entrypoint" and k + 1 < len(words):
            entry = words[k + 1]
        else:
            continue
        if entry.rpartition("/")[2] in shells:
            after = range(k + 1, len(words) - 1)
            return [j + 1 for j in after if words[j][:1] == "-" and words[j][:2] != "--" and "c" in words[j][1:]]
    return []


#: Salt's commands: `salt TARGET cmd.run CMD`, `salt-call cmd.run CMD`, `salt-ssh TARGET cmd.run CMD`.
SALT = frozenset({"salt", "salt-call", "salt-ssh"})


def salt_code(words: list[str], start: int) -> list[int]:
    """The arguments of a salt `cmd.*` function (`cmd.run`, `cmd.shell`, `cmd.script`, `cmd.exec_code`): the minion
    runs them through a shell or as code, after reading each as YAML and maybe as a template."""
    at = next((k for k in range(start + 1, len(words)) if words[k].startswith("cmd.")), None)
    return [] if at is None else list(range(at + 1, len(words)))


#: aws calls whose arguments a remote machine runs as commands (`aws ssm send-command --document-name
#: AWS-RunShellScript --parameters commands="..."`, `ecs execute-command --command`): the options holding them.
_AWS_REMOTE: dict[tuple[str, ...], frozenset[str]] = {
    ("ssm", "send-command"): frozenset({"--parameters", "--cli-input-json", "--cli-input-yaml"}),
    ("ssm", "start-session"): frozenset({"--parameters", "--cli-input-json", "--cli-input-yaml"}),
    ("ecs", "execute-command"): frozenset({"--command", "--cli-input-json", "--cli-input-yaml"}),
}


def aws_call(words: list[str], start: int) -> tuple[str, ...]:
    """The service and operation of the `aws` at `start` (`aws --region x ssm send-command`), as far as they are words."""
    operands = [
        w
        for k, w in enumerate(words[start + 1 :], start + 1)
        if not w.startswith("-") and not (words[k - 1].startswith("--") and words[k - 1] not in _AWS_FLAGS)
    ]
    return tuple(operands[:2])


#: aws's global options that take no value (the others take the next word: `--region eu-west-1`).
_AWS_FLAGS = frozenset({"--debug", "--no-verify-ssl", "--no-paginate", "--no-sign-request", "--no-cli-pager", "--cli-auto-prompt", "--no-cli-auto-prompt"})


def aws_remote_commands(words: list[str], start: int) -> list[int]:
    """The words of `aws ssm send-command` (and the like) holding commands the instances run."""
    options = _AWS_REMOTE.get(aws_call(words, start))
    if not options:
        return []
    found: list[int] = []
    for k in range(start + 1, len(words)):
        option, equals, _rest = words[k].partition("=")
        if (words[k - 1] in options and k - 1 > start) or (equals and option in options):
            found.append(k)
    return found
