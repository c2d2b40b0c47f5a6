"""What kubectl (or oc) applies: a manifest on its stdin (`apply -f -`), a patch (`patch -p JSON`); what helm `--set` reads.

The shell passes a value there as one literal word, but kubectl reads the text as YAML or JSON: a line break, a quote
or a brace in a value adds keys (a container's `command`, run in the cluster). A value there is held to a plain word
(`shell_values`, `Place.document_of`).
"""

from __future__ import annotations

from runbook_tui.runbook.shell_commands import _ssh_command, remote_words
from runbook_tui.runbook.shell_wrappers import command_start

_KUBECTLS = frozenset({"kubectl", "oc"})
_STDIN = frozenset({"-", "/dev/stdin"})
#: `Place.document_of` of a value in the manifest read on stdin, and in a patch.
MANIFEST = "the manifest {} reads on stdin"
MANIFEST_START = MANIFEST.partition("{")[0]
PATCH = "the patch {} applies"
HELM_SET = "what helm {} reads (a comma starts another key)"
_HELM_SETS = ("--set", "--set-string", "--set-json", "--set-literal")


def _kubectl(words: list[str]) -> tuple[str, int] | None:
    start = command_start(words)
    name = words[start].rpartition("/")[2] if start < len(words) else ""
    remote = _ssh_command(words[start + 1 :]) if name == "ssh" else None
    if remote is not None and start + 1 + remote < len(words):  # `ssh db1 kubectl apply -f -`: the remote command's
        start += 1 + remote
        name = words[start].rpartition("/")[2]
    return (name, start) if name in _KUBECTLS else None


def manifest_reader(words: list[str]) -> str | None:
    """`Place.document_of` for the text the command reads on stdin when it is kubectl reading a manifest there, else None."""
    words = remote_words(words)  # `ssh db1 kubectl apply -f - <<EOF`: the heredoc goes to the remote kubectl
    found = _kubectl(words)
    if found is None:
        return None
    name, start = found
    rest = words[start + 1 :]
    for k, word in enumerate(rest):
        option, equals, attached = word.partition("=")
        if word in ("-f", "--filename") and rest[k + 1 : k + 2] and rest[k + 1] in _STDIN:
            return MANIFEST.format(name)
        if (equals and option in ("-f", "--filename") and attached in _STDIN) or word in ("-f-", "-f/dev/stdin"):
            return MANIFEST.format(name)
    return None


def patch_words(words: list[str]) -> list[int]:
    """The words holding the patch of `kubectl patch` (`-p JSON`, `--patch JSON`, `--patch=JSON`)."""
    found = _kubectl(words)
    if found is None or "patch" not in words[found[1] + 1 :]:
        return []
    at: list[int] = []
    for k in range(found[1] + 1, len(words)):
        if words[k] in ("-p", "--patch") and k + 1 < len(words):
            at.append(k + 1)
        elif words[k].startswith(("--patch=", "-p=")) or (words[k].startswith("-p") and len(words[k]) > 2 and words[k][2] != "-"):
            at.append(k)
    return at


def helm_set_words(words: list[str]) -> list[tuple[int, str]]:
    """The words helm reads as `--set` values (`--set a=b,c=d`, `--set-string=a=b`), each with its option."""
    start = command_start(words)
    if start >= len(words) or words[start].rpartition("/")[2] != "helm":
        return []
    at: list[tuple[int, str]] = []
    for k in range(start + 1, len(words)):
        option = words[k].partition("=")[0]
        if words[k] in _HELM_SETS and k + 1 < len(words):
            at.append((k + 1, words[k]))
        elif option in _HELM_SETS and "=" in words[k]:
            at.append((k, option))
    return at
