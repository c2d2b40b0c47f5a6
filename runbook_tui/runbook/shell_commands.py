"""Which words of a simple command another shell parses again, and which the shell reads as names or numbers.

Works on the words' values as the shell would pass them (quotes removed).
Known re-parsers: `sh|bash|dash|... -c SCRIPT` anywhere in the command (so
behind `sudo`, `env`, `timeout`, `docker|kubectl exec`, `xargs`, `find -exec`,
`chroot`, `nsenter`...), `su|runuser|sg|flock|script -c` (and `--command`; `sg GROUP CMD` without it), `eval`,
`ssh|autossh HOST CMD...`, `pdsh|clush|pssh ... CMD...` and `docker run --entrypoint sh IMAGE -c` (`shell_fleet`),
`watch CMD...`, `parallel`, `tmux`, `capsh -- -c`, `npx|npm exec -c`, `psql -c '\\! CMD'`; and commands reading a script on stdin
(`sh`, `bash -s`, `ssh HOST` with no command) fed by a heredoc, a here-string
or a pipe. A variable expanded into such a script (`eval "$v"`) carries the values it holds (`shell_flow`).
`command_start` (`shell_wrappers`) looks behind wrappers (`sudo`, `env`, `timeout`), `coproc` and runners (`docker exec
C`, `kubectl exec POD --`: `shell_runners`). A command not listed that runs its argument as shell code is not known here: README
says to pass values to such commands as arguments.
"""

from __future__ import annotations

import re

from runbook_tui.runbook import lazy_re, shell_code
from runbook_tui.runbook.shell_code import INTERPRETERS, PLUS_COMMANDS, canonical, gdb_shell_commands, interpreter_code, sql_escape_label, sql_shell_escapes
from runbook_tui.runbook.shell_dash_c import dash_c_script, sg_command, shell_script
from runbook_tui.runbook.shell_fleet import (
    CONTAINERS,
    FLEETS,
    SALT,
    SSH_LIKE,
    aws_call,
    aws_remote_commands,
    entrypoint_scripts,
    fleet_command,
    reads_commands_on_stdin,
    salt_code,
)
from runbook_tui.runbook.shell_input_runners import input_runner
from runbook_tui.runbook.shell_pipe_files import piped_outputs, pipes_to
from runbook_tui.runbook.shell_places import MARKERS
from runbook_tui.runbook.shell_wrappers import WRAPPERS, command_start
from runbook_tui.runbook.shell_wrappers import basename as _basename

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "yash", "busybox", "rbash", "lksh", "posh"})
#: A shell's long options taking the next word.
_SHELL_WORD_OPTIONS = frozenset({"--rcfile", "--init-file"})
_DASH_C = frozenset({"su", "runuser", "flock", "script", "sg"})
#: Commands running their remaining words as one shell command line.
_JOINERS = frozenset({"eval", "parallel", "tmux", "screen"})
_SSH_ARG_OPTIONS = frozenset("bcDEeFIiJLlmOoPpQRSWw")
#: In bash, these read a word as a variable name, whose `[subscript]` is evaluated (`a[$(cmd)]` runs cmd).
_NAMING_BUILTINS = frozenset({"declare", "typeset", "local", "export", "readonly", "unset", "read", "printf", "mapfile", "readarray"})
#: Operators whose operands bash evaluates as arithmetic (or as a variable name: `-v`).
ARITH_OPS = frozenset({"-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-v"})


#: Programs with options that run a command or write files (`ssh -oProxyCommand=CMD`, `scp`/`sftp` too, `rsync -eCMD`,
#: `git --upload-pack=CMD`, `tar --to-command=CMD`, `sort --compress-program=CMD`, `zip -TTCMD`, `curl -K FILE`,
#: `wget -eCOMMAND`, `find PATH -exec`, `su --command=CMD`): a value that starts one of their words must not start with `-`.
_OPTIONS_RUN_COMMANDS = frozenset({"ssh", "scp", "sftp", "rsync", "git", "tar", "sort", "zip", "curl", "wget", "find", "su", "runuser"})
#: `apt-get -oDPkg::Pre-Invoke::=CMD`, `nmap --script=FILE`, `cmake -P FILE`, `tcpdump -zCMD`, `openssl ... -engine LIB`.
_OPTIONS_RUN_COMMANDS |= {"apt-get", "apt", "nmap", "cmake", "tcpdump", "openssl"}
#: `man -Pcmd`, `nc -e/bin/sh`, and editors and pagers reading a word starting with `+` as a command (`vim +!cmd`).
_OPTIONS_RUN_COMMANDS |= {"man", "nc", "ncat", "netcat", "nc.traditional", "gdb"} | PLUS_COMMANDS  # gdb --eval-command=CMD
#: `kubectl --kubeconfig=FILE` (its `exec:` credential plugin runs), `npx --call=CMD` (through a shell), `psql
#: --output=|CMD` (run before it connects): session 34.
_OPTIONS_RUN_COMMANDS |= {"kubectl", "oc", "npx", "psql"}
#: `split --filter=CMD` (through a shell), `script -cCMD`, GNU sed's `--expression=1e CMD` after its script: session 37.
_OPTIONS_RUN_COMMANDS |= {"split", "script", "sed"}
#: make's `--eval=$(shell CMD)` and `-f FILE` (a makefile's `$(shell CMD)`), read after its targets too: session 38.
_OPTIONS_RUN_COMMANDS |= {"make", "gmake"}
#: pip's `-e DIR` / `-r FILE` (a package's setup.py runs as it builds), `--index-url` (another index's packages): session 38.
_OPTIONS_RUN_COMMANDS |= {"pip", "pip3"}

#: Every command name (and `.`) the rules below look for: a command naming none of these has no word they pick.
_KNOWN = SHELLS | _DASH_C | _JOINERS | frozenset(WRAPPERS) | _NAMING_BUILTINS | {"ssh", "tsh", "watch", ".", "source", "[", "test"}
_KNOWN |= {"let", "trap", "wait", "alias", "echo", "capsh", "npm", "strace"} | _OPTIONS_RUN_COMMANDS | FLEETS | CONTAINERS | SSH_LIKE.keys()
#: Files that are a command's stdin (`bash /dev/stdin <<EOF`, `. /dev/stdin <<< "..."`).
_STDIN_FILES = frozenset({"/dev/stdin", *(f"{d}/{n}" for d in ("/dev/fd", "/proc/self/fd") for n in range(10))})  # `3<<<"..."` too

_KNOWN |= INTERPRETERS


def names_none(words: list[str]) -> bool:
    """True when `scripts`, `script_files` and `naming_arguments` all find nothing: no word is a known command name."""
    return {canonical(word) for word in words}.isdisjoint(_KNOWN)


def _ssh_command(rest: list[str], extra: str = "") -> int | None:
    """Index (in `rest`, the words after `ssh`) of the first word of the remote command; None: there is none.
    `extra`: more option letters taking an argument (autossh's `-M PORT`)."""
    k = 0
    while k < len(rest) and rest[k].startswith("-"):
        option = rest[k]
        k += 2 if len(option) == 2 and (option[1] in _SSH_ARG_OPTIONS or option[1] in extra) else 1
    return k + 1 if k + 1 < len(rest) else None


def scripts(words: list[str]) -> list[tuple[list[int], str]]:
    """The words another shell parses again (their indexes, joined by spaces), with that command's name."""
    found: list[tuple[list[int], str]] = []
    start = command_start(words)
    if start < len(words):
        name = _basename(words[start])
        first = start + 1
        if name in _JOINERS and first < len(words):
            found.append((list(range(first, len(words))), name))
        elif name in SSH_LIKE or (name == "tsh" and words[first : first + 1] == ["ssh"]):  # `tsh ssh HOST CMD`
            first += name == "tsh"
            remote = _ssh_command(words[first:], SSH_LIKE.get(name, ""))
            if remote is not None:
                found.append((list(range(first + remote, len(words))), "tsh ssh" if name == "tsh" else name))
        elif name in FLEETS:  # `pdsh -w HOSTS CMD...`: the words are joined and each host's shell parses them
            command = fleet_command(name, words, start)
            if command is not None:
                found.append((list(range(command, len(words))), name))
        elif name in CONTAINERS:  # `docker run --entrypoint sh IMAGE -c SCRIPT`
            found.extend(([k], f"{name} --entrypoint ... -c") for k in entrypoint_scripts(words, start, SHELLS))
        elif name == "alias":  # alias k='...': the text runs as code where k is used (dash expands aliases in scripts)
            found.extend(([k], "alias") for k in range(first, len(words)) if "=" in words[k])
        elif name == "trap":
            k = first + 1 if first < len(words) and words[first] == "--" else first
            if k < len(words) and not words[k].startswith("-"):
                found.append(([k], "trap"))  # trap ACTION SIGNAL...: the action runs later as shell code
        elif name in ("psql", "mysql", "mariadb"):  # `psql -c '\\! CMD'`: the client's shell runs CMD
            found.extend(([k], sql_escape_label(name, words[k])) for k in sql_shell_escapes(words, start))
        elif name == "gdb":  # `gdb -ex "shell CMD"`, `-ex "!CMD"`, `-ex "pipe bt | CMD"`
            found.extend(([k], "gdb -ex shell") for k in gdb_shell_commands(words, start))
        elif name == "capsh" and "--" in words[first:]:  # `capsh -- ARGS` runs /bin/bash ARGS
            script = shell_script(words, words.index("--", first))
            if script is not None:
                found.append(([script], "capsh -- -c"))
        elif name == "npx" or (name == "npm" and words[first : first + 1] in (["exec"], ["x"])):  # `npx -c CMD`: a shell runs CMD
            found.extend(([k], f"{name} -c") for k in _npm_calls(words, first))
        elif name == "watch":
            k = first
            while k < len(words) and words[k].startswith("-"):
                if words[k] in ("-x", "--exec"):
                    return found
                k += 2 if words[k] in ("-n", "--interval", "-q", "--equexit") else 1
            if k < len(words):
                found.append((list(range(k, len(words))), "watch"))
    found.extend(([k], f"{by} -o |") for k, at, by in piped_outputs(words, start) if pipes_to(by, words[k][at:]))  # `psql -o "|CMD"`
    for k, word in enumerate(words):
        name = _basename(word)
        if name in SHELLS:
            script = shell_script(words, k)
        elif name in _DASH_C and k >= start:
            script = dash_c_script(words, k) if name != "sg" else sg_command(words, k)
        else:
            continue
        if script is not None:
            found.append(([script], name if name == "sg" and dash_c_script(words, k) is None else f"{name} -c"))
    return found


def _npm_calls(words: list[str], first: int) -> list[int]:
    """The words `npx` / `npm exec` hands to a shell: after `-c` or `--call`, and `--call=CMD` (before `--`)."""
    end = words.index("--", first) if "--" in words[first:] else len(words)
    return [k + 1 for k in range(first, end - 1) if words[k] in ("-c", "--call")] + [k for k in range(first, end) if words[k].startswith("--call=")]


def remote_words(words: list[str]) -> list[str]:
    """The words with ssh's remote command split as the remote shell splits it: `ssh db 'bash -s'` and `ssh db "sudo
    psql"` read stdin as `ssh db bash -s` does (ssh joins its words with spaces and a shell parses them again)."""
    start = command_start(words)
    if start >= len(words) or _basename(words[start]) != "ssh":
        return words
    remote = _ssh_command(words[start + 1 :])
    if remote is None or not any(c in w for w in words[start + 1 + remote :] for c in " \t\n;&|"):
        return words
    import shlex  # only for a quoted remote command

    text = " ".join(words[start + 1 + remote :])
    try:
        split = list(shlex.shlex(text, posix=True, punctuation_chars=True))
    except ValueError:  # an unclosed quote: the remote shell refuses it; its words are still what runs
        split = text.split()
    # every word kept, a pipeline's later stages too: `ssh db 'cat | sh'` runs its stdin through cat into sh
    return words[: start + 1 + remote] + split


def stdin_script_reader(words: list[str]) -> str | None:
    """The command that reads a shell script on its stdin (`sh`, `bash -s`, `bash /dev/stdin`, `. /dev/stdin`, `ssh
    HOST`, `docker exec -i c sh`), keeps it to run later (`at now`, `crontab -`) or makes one of it (`xargs eval`,
    `xargs ssh HOST`, `xargs -I{} sh -c '... {}'`), if any; `at`, `batch` and `crontab` keep it for a shell to run."""
    words = remote_words(words)
    start = command_start(words)
    wrappers = [_basename(w) for w in words[:start] if _basename(w) in WRAPPERS]
    if start >= len(words):
        # `xargs sudo`, `xargs env`, `xargs timeout 5`: the input's words become the command and its arguments
        after = wrappers[wrappers.index("xargs") + 1 :] if "xargs" in wrappers else []
        return f"xargs {after[0]}" if after else None
    name = _basename(words[start])
    if "xargs" in wrappers:
        return _xargs_script(words, start)
    if name in SSH_LIKE and _ssh_command(words[start + 1 :], SSH_LIKE[name]) is None:
        return name
    if (name in FLEETS and reads_commands_on_stdin(name, words, start)) or (name == "parallel" and all(w[:1] == "-" for w in words[start + 1 :])):
        return name
    if name in (".", "source") and start + 1 < len(words) and words[start + 1] in _STDIN_FILES:
        return name
    if name in ("at", "batch") or (name == "crontab" and not {"-l", "-r", "-e"} & set(words[start + 1 :])):
        return name
    if runner := input_runner(name, words[start + 1 :]):  # `| sed 's/^//e'`, `| perl -ne 'system $_'`
        return runner
    for k, word in enumerate(words[start:], start):
        shell = _basename(word)
        if shell not in SHELLS:
            continue
        options, operands = _shell_arguments(words[k + 1 :])
        if any("c" in o[1:] and not o.startswith("--") for o in options):
            return None
        if not operands or operands[0] in _STDIN_FILES or any("s" in o[1:] and not o.startswith("--") for o in options):
            return shell
    return None


def _shell_arguments(rest: list[str]) -> tuple[list[str], list[str]]:
    """A shell's options (`-e`, `+x`, `-o pipefail`, `--rcfile FILE`: with the word each takes) and its operands."""
    options: list[str] = []
    k = 0
    while k < len(rest) and rest[k][:1] in ("-", "+") and rest[k] != "--":
        options.append(rest[k])
        takes = rest[k] in _SHELL_WORD_OPTIONS or (rest[k][1:2] != "-" and rest[k][-1:] in ("o", "O"))  # `-eo pipefail`
        k += 2 if takes else 1
    return options, rest[k + (k < len(rest) and rest[k] == "--") :]


def _xargs_script(words: list[str], start: int) -> str | None:
    """`xargs` makes its input part of a script: `xargs eval`, `xargs ssh HOST`, `xargs -I{} sh -c '... {}'`."""
    runs = _basename(words[start])
    if runs in _JOINERS or runs in ("ssh", "watch"):
        return f"xargs {runs}"  # the input's words are added to the command line that one runs
    replacing = any(w.startswith(("-I", "-i", "--replace")) for w in words[:start])
    for k in range(start, len(words)):
        rest = words[k + 1 :]
        dash_c = next((i for i, w in enumerate(rest) if w[:1] == "-" and w[:2] != "--" and "c" in w[1:]), None)
        if _basename(words[k]) in SHELLS | _DASH_C and dash_c is not None and all(w.startswith("-") for w in rest[dash_c + 1 :]):
            return f"xargs {_basename(words[k])} -c"  # no script after -c: the input's first word is the script
    for _, by in scripts(words):
        if replacing or not by.endswith(" -c"):  # without -I, `xargs sh -c SCRIPT` passes the input as $0, $1...
            return f"xargs {by}"
    return None


def naming_arguments(words: list[str]) -> list[int]:
    """Arguments bash reads as variable names (`declare X`, `unset X`, `read X`, `printf -v X`, `[ -v X ]`):
    a value standing in such a name part could carry `a[$(cmd)]`."""
    start = command_start(words)
    if start >= len(words):
        return []
    name = words[start]
    if name in ("[", "test"):
        return [k + 1 for k in range(start, len(words) - 1) if words[k] in ARITH_OPS]
    if name == "wait":
        return list(range(start + 1, len(words)))  # job ids and pids; `-pNAME` (bash 5.1) names a variable
    if name not in _NAMING_BUILTINS:
        return []
    if name == "printf":
        return [k + 1 for k in range(start, len(words) - 1) if words[k] == "-v"]
    if name == "read":
        return [k for k in range(start + 1, len(words)) if words[k - 1] not in ("-p", "-d", "-t", "-n", "-N", "-u", "-i")]
    return list(range(start + 1, len(words)))


def script_files(words: list[str]) -> list[tuple[int, str]]:
    """Words naming a file that a shell runs as a script (`. FILE`, `source FILE`, `bash FILE`): what an
    expansion there produces (`<(printf ...)`) is code."""
    start = command_start(words)
    if start + 1 < len(words) and words[start] in (".", "source"):
        return [(start + 1, words[start])]
    for k, word in enumerate(words[start:], start):
        if _basename(word) in SHELLS:
            operands = [j for j in range(k + 1, len(words)) if not words[j].startswith("-")]
            if operands and not any("c" in w[1:] for w in words[k + 1 : operands[0]] if not w.startswith("--")):
                return [(operands[0], _basename(word))]
    return []


def program_code(words: list[str]) -> list[tuple[int, str]]:
    """Words an interpreter runs as its own code (`sed "s/x/VALUE/"`, `awk 'PROG'`, `python3 -c CODE`, `perl -e`), and
    words a program runs as a command (`command_arguments`): a value there is code to that program."""
    start = command_start(words)
    if start >= len(words):
        return command_arguments(words)  # `env -S CMD`: no command word, the option makes one
    found = interpreter_code(words, start) + command_arguments(words)
    if _basename(words[start]) == "find":  # `find . -exec python3 -c CODE {} \;`: the command find runs, up to `;` or `+`
        for k in range(start + 1, len(words) - 1):
            if words[k] in _COMMAND_OPTIONS["find"]:
                end = next((j for j in range(k + 1, len(words)) if words[j] in (";", "+")), len(words))
                found.extend((k + 1 + j, by) for j, by in interpreter_code(words[k + 1 : end], 0))
    return found


def xargs_replaced_code(words: list[str]) -> str:
    """The interpreter whose code `xargs -I R` puts its input into (`xargs -I{} python3 -c "print('{}')"`), else ""."""
    start = command_start(words)
    at = next((k for k in range(start) if _basename(words[k]) == "xargs"), None)
    if at is None or start >= len(words):
        return ""
    replace = ""
    for k in range(at + 1, start):
        word = words[k]
        if word in ("-I", "--replace") and k + 1 < start:
            replace = words[k + 1]
        elif word.startswith("-I") or word.startswith("--replace="):
            replace = word[2:] if word.startswith("-I") else word.partition("=")[2]
        elif word.startswith("-i") or word == "--replace":
            replace = word[2:] or "{}"
    codes = program_code(words)
    return next((by for k, by in codes if k >= start and replace and replace in words[k]), "")


#: Options whose argument a program runs as a command (most through a shell): `ssh -o ProxyCommand=CMD`, `rsync -e CMD`,
#: `tar --to-command=CMD`, `git -c core.fsmonitor=CMD`, `sort --compress-program=CMD`, `zip -TT CMD`, `find -exec CMD`,
#: `gcloud compute ssh VM --command=CMD`.
_COMMAND_OPTIONS: dict[str, frozenset[str]] = {
    "rsync": frozenset({"-e", "--rsh", "--rsync-path"}),
    "tar": frozenset({"--to-command", "-I", "--use-compress-program", "--checkpoint-action", "-F", "--info-script",
                      "--new-volume-script", "--rsh-command", "--rmt-command"}),
    "git": frozenset({"-c", "--config-env", "--upload-pack", "--receive-pack", "-u", "--exec", "--extcmd", "--tree-filter",
                      "--index-filter", "--msg-filter", "--env-filter", "--commit-filter", "--parent-filter", "--tag-name-filter"}),
    "sort": frozenset({"--compress-program"}), "split": frozenset({"--filter"}),  # split runs its filter with `sh -c` (session 37)
    "zip": frozenset({"-TT", "--unzip-command"}),
    "find": frozenset({"-exec", "-execdir", "-ok", "-okdir"}),
    # a remote shell runs these: `gcloud compute ssh VM --command=CMD`, `vagrant ssh -c CMD`
    "gcloud": frozenset({"--command"}),
    "vagrant": frozenset({"-c", "--command"}), "nix-shell": frozenset({"--run", "--command"}), "az": frozenset({"--scripts"}),
    "man": frozenset({"-P", "--pager"}),  # man runs its pager with `sh -c`
    # ansible templates extra vars as Jinja ({{ lookup('pipe', CMD) }}); wget runs wgetrc commands; helm runs a program
    "ansible-playbook": frozenset({"-e", "--extra-vars"}), "wget": frozenset({"-e", "--execute"}), "helm": frozenset({"--post-renderer"}),
    # netcat runs a program for each connection: `-e` execs it, `-c` through `sh -c`
    **dict.fromkeys(("nc", "ncat", "netcat", "nc.traditional"), frozenset({"-e", "-c", "--exec", "--sh-exec", "--lua-exec"})),
    "mosh": frozenset({"--ssh"}),  # split into words (Perl's shellwords) and run: `--ssh="ssh {{ x }}"` took -oProxyCommand
    # ansible runs `-a` (through a shell with `-m shell`; as templated Jinja always), and templates `-e` values
    "ansible": frozenset({"-a", "--args", "-e", "--extra-vars"}),
    # the value picks the program, script or library run: `scp -S PROG`, `sftp -D PROG`, `tcpdump -z PROG`, nmap's NSE
    # scripts, `cmake -P SCRIPT` and `-C CACHE_SCRIPT`, an OpenSSL engine or provider (a shared library openssl loads)
    "scp": frozenset({"-S", "-D"}), "sftp": frozenset({"-S", "-D"}), "tcpdump": frozenset({"-z"}), "nmap": frozenset({"--script"}),
    "cmake": frozenset({"-P", "-C"}), "openssl": frozenset({"-engine", "-provider", "-provider-path"}),
}  # fmt: skip
_KNOWN |= (
    frozenset(_COMMAND_OPTIONS)
    | SALT
    | {"aws", "socat", "apt-get", "apt", "chsh", "usermod", "useradd", "configure", "cd", "pushd", "kubectl", "oc", "terraform"}
    | {"nginx", "haproxy", "logrotate", "crontab", "ansible-playbook", "link"}  # `systemctl link FILE`
)  # shell_sudo, shell_build, shell_folders, shell_config_files
#: Programs whose short options bundle (`rsync -avze CMD`, `tar -cf a.tar -ICMD`), with the letters taking an argument.
_BUNDLING = {"rsync": "BefTM@", "tar": "bCfFgHIKLNTVX", "scp": "cDFiJloPSX", "sftp": "BbcDFiJloPRSsX", "tcpdump": "BcCEFGijmMQrsTVwWyzZ"}
#: git settings (`-c KEY=VALUE`) whose value git runs as a command (`core.fsmonitor` on every `status`).
_GIT_COMMAND_KEY = lazy_re.compile(
    r"(?i)(^(alias|pager)\.|\.(pager|editor|sshcommand|fsmonitor|askpass|helper|command|program|driver|external|textconv|clean|smudge"
    r"|process|hookspath|packobjectshook|proxy|uploadpack|receivepack|gitproxy|tunnel|difffilter|alternaterefscommand"
    r"|defaultkeycommand|cmd|sendmailcmd|tocmd|cccmd|headercmd)$)"
)
#: apt's settings (`-o KEY=VALUE`) whose value apt runs as a command (`APT::Update::Pre-Invoke::=CMD`, through `sh -c`),
#: adds to dpkg's options (`--pre-invoke=CMD`) or names the program run (`Dir::Bin::dpkg`).
_APT_COMMAND_KEY = lazy_re.compile(r"(?i)\s*(\S*-invoke(-success)?|dpkg::pre-install-pkgs|dpkg::options|dir::bin::\S*|\S*::proxy-auto-detect)(::)?\s*$")
#: ssh's `-o` options that run a command (the remote one included); a value naming the option itself could be any.
_SSH_COMMAND_OPTION = lazy_re.compile(r"(?i)\s*(proxycommand|localcommand|knownhostscommand|remotecommand)\b")


def command_arguments(words: list[str]) -> list[tuple[int, str]]:
    """Words a program runs as a command because of the option before them (`_COMMAND_OPTIONS`, ssh's `-o`): a value
    there is code to it. A value starting ssh's `-o` argument names the option itself, so it counts too."""
    start = command_start(words)
    name = _basename(words[start]) if start < len(words) else ""
    found: list[tuple[int, str]] = [(k, f"{name} cmd.*") for k in salt_code(words, start)] if name in SALT else []
    for k in range(1, min(start + 1, len(words))):  # `env -S 'CMD ARGS'` splits its argument into a command line
        word = words[k]
        if (words[k - 1] in ("-S", "--split-string") or word.startswith("--split-string=") or (word[:2] == "-S" and len(word) > 2)) and "env" in {
            _basename(w) for w in words[:k]
        }:
            found.append((k, "env -S"))
    if name == "socat":  # `socat - SYSTEM:CMD` (through `sh -c`), `EXEC:CMD` (split into words): the address runs CMD
        found.extend((k, "socat") for k in range(start + 1, len(words)) if re.match(r"(?i)(system|exec):", words[k]))
    if name == "aws":
        found.extend((k, by) for k in aws_remote_commands(words, start) for by in (f"aws {' '.join(aws_call(words, start))}",))
    for k in range(start + 1, len(words)):
        option, equals, _rest = words[k].partition("=")
        if name in ("ssh", "scp", "sftp") and (words[k - 1] == "-o" or (option.startswith("-o") and len(option) > 2)):
            argument = words[k] if words[k - 1] == "-o" else words[k][2:]
            if _SSH_COMMAND_OPTION.match(argument) or (words[k - 1] == "-o" and MARKERS.match(argument) is not None):
                found.append((k, f"{name} -o {'OPTION' if MARKERS.match(argument) else argument.split('=')[0].split()[0]}"))
        elif name == "git" and words[k - 1] in ("-c", "--config-env"):
            if _GIT_COMMAND_KEY.search(option) or MARKERS.match(words[k]):  # a value naming the key could name any
                found.append((k, f"git {words[k - 1]} {'KEY' if MARKERS.match(words[k]) else option}"))
        elif name in ("apt-get", "apt") and (setting := _apt_setting(words[k - 1], words[k])) is not None:
            key = setting.partition("=")[0]
            if _APT_COMMAND_KEY.match(key) or MARKERS.match(setting):
                found.append((k, f"{name} -o {'KEY' if MARKERS.match(setting) else key.strip().rstrip(':')}"))
        elif name == "git" and words[k - 1] == "run" and "bisect" in words[start + 1 : k - 1]:
            found.append((k, "git bisect run"))  # git runs the program it names at each step of the bisection
        elif name == "git" and words[k - 1] == "-x" and {"difftool", "rebase"} & set(words[start + 1 : k]):
            found.append((k, "git -x"))  # `git difftool -x CMD`, `git rebase -x CMD` (`git clean -x` takes no argument)
        elif name == "wget" and words[k].startswith("--use-askpass="):
            found.append((k, "wget --use-askpass"))  # the program wget runs for a user name and password (no `=`: $WGET_ASKPASS)
        elif name == "git" and "grep" in words[start + 1 : k] and re.match(r"-O.|--open-files-in-pager=", words[k]):
            found.append((k, "git grep -O"))  # `git grep -OPAGER`: git runs the pager, through a shell, on the files found
        elif name == "git" and "foreach" in words[start + 1 : k] and not words[k].startswith("-"):
            found.append((k, "git submodule foreach"))  # its command runs in a shell in each submodule
        elif name == "git" and "config" in words[start + 1 : k - 1] and _GIT_COMMAND_KEY.search(words[k - 1]):
            found.append((k, f"git config {words[k - 1]}"))  # `git config core.sshCommand "{{ x }}"`: run by later gits
        elif words[k - 1] in _COMMAND_OPTIONS.get(name, ()):
            found.append((k, f"{name} {words[k - 1]}"))
        if name in _BUNDLING and words[k] not in _COMMAND_OPTIONS[name] and (bundled := _bundled_command(name, words[k])):
            at, letter = bundled
            found.extend((j, f"{name} -{letter}") for j in (k + at,) if j < len(words))
        elif equals and option in _COMMAND_OPTIONS.get(name, ()):
            found.append((k, f"{name} {option}"))
    return found


def _apt_setting(before: str, word: str) -> str | None:
    """The `KEY=VALUE` setting apt reads from this word: after `-o`/`--option`, or in `-oKEY=VALUE`, `--option=KEY=VALUE`."""
    if before in ("-o", "--option"):
        return word
    if word.startswith("--option="):
        return word[len("--option=") :]
    return word[2:] if word.startswith("-o") and len(word) > 2 and not word.startswith("--") else None


def _bundled_command(name: str, word: str) -> tuple[int, str] | None:
    """Where a bundle of short options puts the command an option of it runs (`-avze CMD`: 1, the next word; `-ICMD`:
    0, this word), with that option's letter; None when it holds none."""
    if not word.startswith("-") or word.startswith("--") or len(word) < 2:
        return None
    for i, letter in enumerate(word[1:], start=1):
        if letter in _BUNDLING[name]:  # the rest of the word, or the next one, is this option's argument
            return ((0 if i + 1 < len(word) else 1), letter) if f"-{letter}" in _COMMAND_OPTIONS[name] else None
    return None


def format_operand(words: list[str]) -> int | None:
    """The index of `printf`'s format (after `-v NAME` and `--`): its `%` and `\\` are directives, a leading `-` an option."""
    start = command_start(words)
    if start >= len(words) or words[start] != "printf":
        return None
    k = start + 1
    if k < len(words) and words[k].startswith("-v"):
        k += 2 if words[k] == "-v" else 1
    if k < len(words) and words[k] == "--":
        k += 1
    return k if k < len(words) else None


def option_words(words: list[str]) -> tuple[list[int], str]:
    """The words a program whose options run commands (`_OPTIONS_RUN_COMMANDS`) may read as options, and its name:
    any before a `--` (GNU tools take options after operands too); `find`'s paths; `ssh`'s own, not the remote command's."""
    start = command_start(words)
    module = shell_code.python_module(words, start)
    pip = module is not None and words[module[0]][module[1] :] == "pip"  # `python3 -m pip install {{ x }}`: pip's words
    start = module[0] if module is not None and pip else start
    name = "pip" if pip else _basename(words[start]) if start < len(words) else ""
    script = None if pip else shell_code.options_end(words, start) if start < len(words) else None  # `python3 {{ x }}`, x = `-cCODE`
    if name not in _OPTIONS_RUN_COMMANDS and script is None:
        return [], name
    end = words.index("--", start) if "--" in words[start:] else len(words)
    end = end if script is None else min(end, script + 1)  # an interpreter's script, not the script's arguments
    end = min(end, words.index("--args", start)) if name == "gdb" and "--args" in words[start:] else end
    if name == "ssh":
        remote = _ssh_command(words[start + 1 :])
        end = min(end, len(words) if remote is None else start + 1 + remote)
    if name == "find":  # its paths come before the expression (whose words start with -, ( or !)
        end = next((k for k in range(start + 1, end) if words[k][:1] in ("-", "(", "!") and words[k] not in ("-H", "-L", "-P")), end)
    return list(range(start + 1, end)), name
