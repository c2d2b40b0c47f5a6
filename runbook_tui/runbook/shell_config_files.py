"""Options naming a configuration file a program runs commands or loads code from: `ssh -F FILE`, `kubectl --kubeconfig`.

The same files named by a variable were held to one file or folder name (`KUBECONFIG`, `BASH_ENV`: `shell_flow.SCRIPT_VARIABLES`),
but not by an option: `ssh -F {{ x }} db1` with x = `/tmp/upload/evil` ran its `ProxyCommand`, `kubectl --kubeconfig`
a user's `exec:` credential plugin, `bash --rcfile` the file itself, `openssl req -config` the provider its
`openssl_conf` loads (each seen with the program); and, session 34, `vim -S`/`-u`, `wget --config`, `curl -K`,
`sqlite3 -init`, `git --exec-path=`, `perl -I` (each seen running a command too; `psql -f` as psql < FILE is); session
37, gdb's `-x`/`--command` (`gdb -batch -x /srv/debug/{{ x }}/bt.gdb` with x = `../upload` ran its `shell CMD`). A value
there is one file or folder name now, as in a program's path (`ssh -F /etc/ssh/{{ env }}.conf`,
`--kubeconfig=/etc/kube/{{ cluster }}.yaml` pass).

Session 38: files a program reads as configuration that runs commands, by option or as its operands. `runbook-tui exec`
with x = `../../upload/...` ran code from each of `nginx -t -c /etc/nginx/{{ x }}.conf` (`load_module` loads a library),
`haproxy -c -f /etc/haproxy/{{ x }}.cfg` (`lua-load`), `logrotate -f /etc/logrotate.d/{{ x }}` (`postrotate`), and `git
--git-dir=/srv/repos/{{ x }}.git status` (`core.fsmonitor`); the same holds for `crontab FILE` (the table cron runs),
`ansible-playbook PLAYBOOK` and `-i INVENTORY` (an executable inventory runs), `kubectl apply -f`/`-k` (the containers it
starts), `systemctl link UNIT`, `redis-cli --eval SCRIPT`.
"""

from __future__ import annotations

from runbook_tui.runbook.shell_code import options_end
from runbook_tui.runbook.shell_commands import option_words
from runbook_tui.runbook.shell_folders import option_arguments
from runbook_tui.runbook.shell_places import WHOLE_NAME

#: By program: the options naming such a file.
_CONFIG_OPTIONS = {
    **dict.fromkeys(("ssh", "scp", "sftp"), ("-F",)),  # ProxyCommand, LocalCommand, KnownHostsCommand, Match exec
    **dict.fromkeys(("kubectl", "oc", "helm"), ("--kubeconfig",)),  # a user's `exec:` credential plugin
    "bash": ("--rcfile", "--init-file"),  # the file, run by an interactive bash
    "openssl": ("-config",),  # `openssl_conf` loading an engine or a provider (a shared library)
    # session 34: vim's Ex commands (`:!CMD`, system()), wgetrc's `use_askpass = PROG`, curl's `output = FILE` (any file
    # written, ~/.bashrc too), sqlite3's and psql's `.shell`/`\!`, git's `git-*` programs, the modules perl loads
    **dict.fromkeys(("vim", "vi", "nvim", "ex", "view", "vimdiff", "rvim", "gvim", "evim"), ("-S", "-u", "-U")),
    "wget": ("--config",), "curl": ("-K", "--config"), "sqlite3": ("-init",), "psql": ("-f", "--file"),
    "git": ("--exec-path",), "perl": ("-I",),
    # session 37: gdb's command files (`shell CMD`, `python ...` in them run commands), before its `--args`
    "gdb": ("-x", "--x", "-command", "--command", "-ix", "--ix", "-init-command", "--init-command"),
}  # fmt: skip
#: Session 38's (see above): a value alone there names the whole file, by a parameter, as its author chose (as `cwd:
#: "{{ dir }}"`, `git -C "{{ dir }}"` and `kubectl apply -f {{ url }}` do): a value inside a path the runbook writes is held.
_IN_PATHS = {
    "nginx": ("-c",), "haproxy": ("-f",), "redis-cli": ("--eval",), **dict.fromkeys(("ansible", "ansible-playbook"), ("-i", "--inventory")),
    "git": ("--git-dir",),
}  # fmt: skip
#: kubectl's subcommands starting what a manifest (`-f FILE`, a kustomization `-k DIR`) describes.
_KUBECTL_APPLY = frozenset({"apply", "create", "replace", "run"})
#: By program, for those reading their operands as such files: the options taking the next word (not a file of those).
_OPERAND_FILES = {
    "logrotate": frozenset({"-s", "--state", "-l", "--log", "-m", "--mail"}),
    "crontab": frozenset({"-u"}),
    "ansible-playbook": frozenset(
        {"-i", "--inventory", "-e", "--extra-vars", "-l", "--limit", "-u", "--user", "-t", "--tags", "--skip-tags", "-f", "--forks",
         "-M", "--module-path", "-c", "--connection", "-T", "--timeout", "--private-key", "--key-file", "--vault-id",
         "--vault-password-file", "--start-at-task", "--become-method", "--become-user", "--ssh-common-args", "--ssh-extra-args"}
    ),
}  # fmt: skip


def config_files(texts: list[str], start: int) -> list[tuple[int, int]]:
    """(word, where the file's name starts in it) for each configuration file the command at `start` names by an option
    or as its operand (`logrotate FILE`, `crontab FILE`, `ansible-playbook PLAYBOOK`)."""
    name = texts[start].rpartition("/")[2] if start < len(texts) else ""
    loaded = _in_paths(texts, _loaded(texts, start, name))
    if name not in _CONFIG_OPTIONS and name not in _IN_PATHS:
        return loaded
    options, end = _CONFIG_OPTIONS.get(name, ()), len(texts)
    if name in ("ssh", "scp", "sftp"):  # ssh's own options, not the remote command's (`ssh db1 grep -F x f`)
        end = max(option_words(texts)[0], default=start) + 1
    elif name == "bash":  # bash's long options come before its script or its `-c`
        end = next((k for k in range(start + 1, len(texts)) if not texts[k].startswith("--")), len(texts))
    elif name == "perl":  # perl's options come before its script (`perl app.pl -I x`: the script's arguments)
        end = (options_end(texts, start) or len(texts)) + 1
    elif name == "gdb" and "--args" in texts[start:]:  # `gdb -x FILE --args PROG -x A`: PROG's words after it
        end = texts.index("--args", start)
    elif name == "git":  # git's own options come before its subcommand (`git rev-parse --git-dir` is another)
        end = next((k for k in range(start + 1, len(texts)) if not texts[k].startswith("-") and texts[k - 1] not in ("-c", "-C", "--git-dir")), end)
    elif "--" in texts[start:]:  # `kubectl exec POD -- CMD ...`: the command's words
        end = texts.index("--", start)
    in_paths = _in_paths(texts, option_arguments(texts, start + 1, end, _IN_PATHS.get(name, ())))
    return option_arguments(texts, start + 1, end, options) + in_paths + loaded


def _loaded(texts: list[str], start: int, name: str) -> list[tuple[int, int]]:
    """Files given as operands (`logrotate FILE`, `systemctl link FILE`) or to kubectl's `apply -f`/`-k`."""
    if name in _OPERAND_FILES:
        return _operands(texts, start, _OPERAND_FILES[name])
    if name == "systemctl" and "link" in texts[start + 1 :]:  # `systemctl link /srv/units/{{ x }}.service`
        return [(k, 0) for k in range(texts.index("link", start) + 1, len(texts)) if not texts[k].startswith("-")]
    if name in ("kubectl", "oc") and _KUBECTL_APPLY.intersection(texts[start + 1 :]):
        return option_arguments(texts, start + 1, len(texts), ("-f", "--filename", "-k", "--kustomize"))
    return []


def _in_paths(texts: list[str], found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Those of `found` in a path the runbook writes: not a value (or a variable) alone, which names the whole file."""
    return [(k, at) for k, at in found if not WHOLE_NAME.fullmatch(texts[k][at:])]


def _operands(texts: list[str], start: int, taking: frozenset[str]) -> list[tuple[int, int]]:
    """The operands of the command at `start` (words not starting with `-` nor following an option in `taking`)."""
    found: list[tuple[int, int]] = []
    k = start + 1
    while k < len(texts):
        if texts[k] == "--":
            return found + [(j, 0) for j in range(k + 1, len(texts))]
        if not texts[k].startswith("-"):
            found.append((k, 0))
        k += 2 if texts[k] in taking else 1
    return found
