"""Folders a command changes to before code runs there: `cd /srv/releases/{{ v }} && ./migrate.sh`, `git -C`, `make -C`.

A step's `cwd:` took a value inside the folder the runbook names as one file or folder name (session 32), for the folder
picks the code that runs there (`./migrate.sh`, its Makefile, `.git/config`, what `python3 -m` imports); the same
folder named in the command was not checked: `cd /srv/releases/{{ v }} && ./migrate.sh` with v = `../../../tmp/upload`
ran /tmp/upload/migrate.sh. A value inside a folder `cd`, `pushd`, `git -C`, `make -C`/`--directory`, `env -C`/`--chdir`
or `sudo -D`/`--chdir` names (and `terraform -chdir=`, session 34) is one file or folder name now (`shell_values.program_path_refusal`); a folder that is one
value alone (`cd "{{ dir }}"`) is the whole folder, named by a parameter as its author chose (as `cwd: "{{ dir }}"`).
"""

from __future__ import annotations

from runbook_tui.runbook.shell_wrappers import command_start

#: `cd`'s and `pushd`'s options (`cd -P DIR`).
_CD_OPTIONS = frozenset({"-L", "-P", "-e", "-@"})
#: The options naming the folder a program runs in (`-C DIR`, `-CDIR`, `--chdir=DIR`, `--chdir DIR`).
_CHDIR = {"env": ("-C", "--chdir"), "sudo": ("-D", "--chdir"), "git": ("-C",), "make": ("-C", "--directory"), "gmake": ("-C", "--directory")}
_CHDIR["terraform"] = ("-chdir=",)  # its `.tf` files: a `local-exec` provisioner, the `external` data source run commands


def folder_words(texts: list[str]) -> list[tuple[int, int]]:
    """(word, where the folder starts in it) for each folder the command runs in or changes to."""
    start = command_start(texts)
    found: list[tuple[int, int]] = []
    for j in range(min(start + 1, len(texts))):
        name = texts[j].rpartition("/")[2]
        if j == start and name in ("cd", "pushd"):
            found.extend((k, 0) for k in [k for k in range(j + 1, len(texts)) if texts[k] not in _CD_OPTIONS][:1])
        elif name in ("env", "sudo") and j < start:  # wrappers: their options come before the command they run
            found.extend(option_arguments(texts, j + 1, start, _CHDIR[name]))
        elif name == "git" and j == start:  # git's own options come before its subcommand (`git commit -C REV` is another)
            end = j + 1
            while end < len(texts) and texts[end].startswith("-"):
                end += 2 if texts[end] in ("-c", "-C") else 1
            found.extend(option_arguments(texts, j + 1, end, _CHDIR[name]))
        elif name in ("make", "gmake", "terraform") and j == start:
            found.extend(option_arguments(texts, j + 1, len(texts), _CHDIR[name]))
    return found


def option_arguments(texts: list[str], begin: int, end: int, options: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the words `begin` to `end` give one of `options` an argument (word, where it starts in it): the next word,
    or attached to the option (`-CDIR`, `--chdir=DIR`)."""
    found: list[tuple[int, int]] = []
    for k in range(begin, min(end, len(texts))):
        text = texts[k]
        for option in options:
            if text == option and k + 1 < len(texts):
                found.append((k + 1, 0))
            elif text.startswith(option + "=" if option.startswith("--") else option) and len(text) > len(option) + option.startswith("--"):
                found.append((k, len(option) + option.startswith("--")))
    return found
