"""Options naming a configuration file a program runs commands or loads code from: `ssh -F FILE`, `kubectl --kubeconfig`.

The same files named by a variable were held to one file or folder name (`KUBECONFIG`, `BASH_ENV`: `shell_flow.SCRIPT_VARIABLES`),
but not by an option: `ssh -F {{ x }} db1` with x = `/tmp/upload/evil` ran its `ProxyCommand`, `kubectl --kubeconfig`
a user's `exec:` credential plugin, `bash --rcfile` the file itself, `openssl req -config` the provider its
`openssl_conf` loads (each seen with the program); and, session 34, `vim -S`/`-u`, `wget --config`, `curl -K`,
`sqlite3 -init`, `git --exec-path=`, `perl -I` (each seen running a command too; `psql -f` as psql < FILE is); session
37, gdb's `-x`/`--command` (`gdb -batch -x /srv/debug/{{ x }}/bt.gdb` with x = `../upload` ran its `shell CMD`). A value
there is one file or folder name now, as in a program's path (`ssh -F /etc/ssh/{{ env }}.conf`,
`--kubeconfig=/etc/kube/{{ cluster }}.yaml` pass).
"""

from __future__ import annotations

from runbook_tui.runbook.shell_code import options_end
from runbook_tui.runbook.shell_commands import option_words
from runbook_tui.runbook.shell_folders import option_arguments

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


def config_files(texts: list[str], start: int) -> list[tuple[int, int]]:
    """(word, where the file's name starts in it) for each configuration file the command at `start` names by an option."""
    name = texts[start].rpartition("/")[2] if start < len(texts) else ""
    options = _CONFIG_OPTIONS.get(name)
    if options is None:
        return []
    end = len(texts)
    if name in ("ssh", "scp", "sftp"):  # ssh's own options, not the remote command's (`ssh db1 grep -F x f`)
        end = max(option_words(texts)[0], default=start) + 1
    elif name == "bash":  # bash's long options come before its script or its `-c`
        end = next((k for k in range(start + 1, len(texts)) if not texts[k].startswith("--")), len(texts))
    elif name == "perl":  # perl's options come before its script (`perl app.pl -I x`: the script's arguments)
        end = (options_end(texts, start) or len(texts)) + 1
    elif name == "gdb" and "--args" in texts[start:]:  # `gdb -x FILE --args PROG -x A`: PROG's words after it
        end = texts.index("--args", start)
    elif "--" in texts[start:]:  # `kubectl exec POD -- CMD ...`: the command's words
        end = texts.index("--", start)
    return option_arguments(texts, start + 1, end, options)
