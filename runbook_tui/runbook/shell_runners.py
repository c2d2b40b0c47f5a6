"""Programs that run a command named among their operands: `kubectl exec POD -- CMD`, `docker exec C CMD`, `docker run
IMAGE CMD`, `flock FILE CMD`, `runuser -u USER -- CMD`, `strace CMD`, `ip netns exec NS CMD`...

`runner_command` finds where that command starts, so `shell_wrappers.command_start` looks behind the runner as it
does behind `sudo`: a value there is the command's name (it picks the program, in the pod or the container too), and
the rules on what that command does with its words (`python3 -c CODE`, a `sed` script, `sh -c`) apply to it.
"""

from __future__ import annotations

from typing import NamedTuple


class _Options(NamedTuple):
    """How a runner's options are written, and how many operands of its own come before the command."""

    letters: str = ""  # short options taking an argument (attached, `-w5`, or the next word, `-w 5`)
    long_next: frozenset[str] = frozenset()  # long options taking the next word when no `=` is attached
    operands: int = 0  # the runner's own operands (the container, the lock file, the architecture)
    options_after: bool = False  # options may follow those operands (`setarch x86_64 -R CMD`)


def _long(*names: str) -> frozenset[str]:
    return frozenset(f"--{name}" for name in names)


#: Runners whose command is the first word after their options and operands (as their `--help` lists them).
_SIMPLE: dict[str, _Options] = {
    "strace": _Options("abeEIoOpPsSuXU", _long("output", "attach", "user", "env", "string-limit", "trace", "trace-path", "signal", "status", "expr")),
    "ltrace": _Options("aADeFlnopsuwx", _long("align", "output", "library", "indent")),
    "valgrind": _Options(),
    "nsenter": _Options("tSG", _long("target", "setuid", "setgid")),
    "setpriv": _Options("", _long("ruid", "euid", "rgid", "egid", "reuid", "regid", "groups", "inh-caps", "ambient-caps", "bounding-set",
                                  "securebits", "pdeathsig", "selinux-label", "apparmor-profile", "landlock-access", "landlock-rule")),
    "unshare": _Options("SGRw", _long("setuid", "setgid", "root", "wd", "propagation", "setgroups", "map-user", "map-group", "map-users",
                                      "map-groups", "monotonic", "boottime", "load-interp")),
    "firejail": _Options(),
    "systemd-run": _Options("pEHMu", _long("property", "setenv", "host", "machine", "unit", "uid", "gid", "nice", "working-directory", "slice",
                                           "description", "service-type", "on-active", "on-boot", "on-startup", "on-unit-active",
                                           "on-unit-inactive", "on-calendar", "path-property", "socket-property", "timer-property")),
    "systemd-inhibit": _Options("", _long("what", "who", "why", "mode")),
    "busybox": _Options(),
    "prlimit": _Options("p", _long("pid", "output")),
    "fakeroot": _Options("lsi", _long("lib", "faked")),
    "pkexec": _Options("", _long("user")),
    "dbus-run-session": _Options("", _long("config-file", "dbus-daemon")),
    "catchsegv": _Options(),
    "cgexec": _Options("g"),
    "faketime": _Options("p", _long("date-prog"), operands=1),
    "setarch": _Options("", operands=1, options_after=True),
    "flock": _Options("wE", _long("timeout", "conflict-exit-code"), operands=1),
    "runuser": _Options("ugGsw", _long("user", "group", "supp-group", "shell", "whitelist-environment")),
    "crictl": _Options("", _long("timeout"), operands=1),  # after `exec`
    "lxc": _Options("", _long("env", "cwd", "user", "group", "mode"), operands=1),  # after `exec`
}  # fmt: skip
_SIMPLE["incus"] = _SIMPLE["lxc"]
#: `docker|podman|nerdctl exec`, `docker run`, `docker compose exec|run` (`docker-compose`): their options taking a word.
_DOCKER_GLOBAL = _Options("Hcl", _long("host", "context", "config", "log-level", "tlscacert", "tlscert", "tlskey", "connection", "url",
                                       "identity", "root", "runroot", "namespace", "address"))  # fmt: skip
_DOCKER_EXEC = _Options("euw", _long("env", "env-file", "user", "workdir", "detach-keys", "preserve-fds", "index"), operands=1)
_DOCKER_RUN = _Options(
    "aceghlmpuvw",
    _long("attach", "add-host", "annotation", "blkio-weight", "blkio-weight-device", "cap-add", "cap-drop", "cgroup-parent", "cgroupns",
          "cidfile", "cpu-shares", "cpu-period", "cpu-quota", "cpu-rt-period", "cpu-rt-runtime", "cpus", "cpuset-cpus", "cpuset-mems",
          "detach-keys", "device", "device-cgroup-rule", "device-read-bps", "device-read-iops", "device-write-bps", "device-write-iops",
          "dns", "dns-option", "dns-search", "domainname", "entrypoint", "env", "env-file", "expose", "gpus", "group-add", "health-cmd",
          "health-interval", "health-retries", "health-start-period", "health-timeout", "hostname", "ip", "ip6", "ipc", "isolation",
          "kernel-memory", "label", "label-file", "link", "link-local-ip", "log-driver", "log-opt", "mac-address", "memory",
          "memory-reservation", "memory-swap", "memory-swappiness", "mount", "name", "network", "net", "network-alias", "net-alias",
          "oom-score-adj", "pid", "pids-limit", "platform", "publish", "pull", "restart", "runtime", "security-opt", "shm-size",
          "stop-signal", "stop-timeout", "storage-opt", "sysctl", "tmpfs", "ulimit", "user", "userns", "uts", "volume", "volume-driver",
          "volumes-from", "workdir", "pod", "arch", "os", "variant", "secret", "env-merge", "hooks-dir", "log-level"),
    operands=1,
)  # fmt: skip
_COMPOSE_GLOBAL = _Options("fp", _long("file", "project-name", "profile", "env-file", "project-directory", "ansi", "parallel"))
_KUBECTL = _Options("cnfs", _long("container", "namespace", "filename", "pod-running-timeout", "context", "kubeconfig", "cluster", "user",
                                  "server", "token", "as", "as-group", "request-timeout", "cache-dir"), operands=1)  # fmt: skip
_CONTAINERS = frozenset({"docker", "podman", "nerdctl"})
_WATCH = _Options("nq", _long("interval", "equexit"))

RUNNERS = frozenset(_SIMPLE) | _CONTAINERS | {"docker-compose", "kubectl", "oc", "ip", "watch"}


def _skip(words: list[str], k: int, spec: _Options) -> int | None:
    """From `k`, past the options and `spec.operands` operands: the index of the command's first word (None: none)."""
    operands = spec.operands
    while k < len(words):
        word = words[k]
        if word == "--":
            k += 1
            break
        if word.startswith("-") and word != "-" and (operands == spec.operands or spec.options_after):
            if word.startswith("--"):
                k += 2 if "=" not in word and word in spec.long_next else 1
                continue
            taking = next((i for i, letter in enumerate(word[1:], 1) if letter in spec.letters), None)
            k += 2 if taking == len(word) - 1 else 1  # `-w 5`; `-w5` and `-it` are one word
            continue
        if operands == 0:
            return k
        operands -= 1
        k += 1
    while operands and k < len(words):  # `flock -- FILE CMD`
        operands, k = operands - 1, k + 1
    return k if k < len(words) else None


def _subcommand(words: list[str], k: int, spec: _Options) -> int | None:
    """The index of the first word after `words[k]` that is no option of the runner (`docker -H h exec`: `exec`)."""
    return _skip(words, k + 1, spec._replace(operands=0))


def runner_command(words: list[str], k: int) -> int | None:
    """Index of the first word of the command the runner `words[k]` runs, or None when it runs none named there (it
    takes a script with `-c`, an entrypoint, or is not called to run one: `docker ps`, `flock FILE -c CMD`)."""
    name = words[k].rpartition("/")[2]
    if name in ("kubectl", "oc"):
        sub = _subcommand(words, k, _KUBECTL)
        if sub is None or words[sub] != "exec":
            return None
        return words.index("--", sub) + 1 if "--" in words[sub:] and words[-1] != "--" else _skip(words, sub + 1, _KUBECTL)
    if name in _CONTAINERS or name == "docker-compose":
        sub = k if name == "docker-compose" else _subcommand(words, k, _DOCKER_GLOBAL)
        if (sub is not None and words[sub] == "compose") or name == "docker-compose":
            sub = _subcommand(words, sub if sub is not None else k, _COMPOSE_GLOBAL)
        if sub is None or words[sub] not in ("exec", "run"):
            return None
        spec = _DOCKER_EXEC if words[sub] == "exec" else _DOCKER_RUN
        if any(w == "--entrypoint" or w.startswith("--entrypoint=") for w in words[sub + 1 :]):
            return None  # the words after the image are the entrypoint's arguments (`shell_fleet.entrypoint_scripts`)
        return _skip(words, sub + 1, spec)
    if name == "ip":
        at = next((j for j in range(k + 1, len(words) - 1) if words[j] == "netns" and words[j + 1] == "exec"), None)
        if at is None:
            return None
        every = any(w in ("-all", "-a", "--all") for w in words[k + 1 : at])  # `ip -all netns exec CMD`
        netns_command = at + 2 + (not every)
        return netns_command if netns_command < len(words) else None
    if name == "watch":  # `watch -x CMD ARGS` runs CMD itself (without -x a shell parses the words: `shell_commands`)
        options = words[k + 1 : _skip(words, k + 1, _WATCH) or len(words)]
        return _skip(words, k + 1, _WATCH) if {"-x", "--exec"} & set(options) else None
    simple = _SIMPLE.get(name)
    if simple is None:
        return None
    if name in ("crictl", "lxc", "incus"):
        if words[k + 1 : k + 2] != ["exec"]:
            return None
        k += 1
    if name == "runuser" and not any(w in ("-u", "--user") or w.startswith("--user=") for w in words[k + 1 :]):
        return None  # `runuser USER -c CMD`: su's way (`shell_dash_c`)
    command = _skip(words, k + 1, simple)
    if command is not None and name in ("flock", "runuser") and words[command].startswith(("-c", "--command")):
        return None  # `flock FILE -c CMD`: the shell's script (`shell_dash_c`)
    return command
