"""A value naming, by an option, a configuration file a program runs commands or loads code from: `ssh -F {{ x }}`,
`kubectl --kubeconfig {{ x }}`, `bash --rcfile {{ x }}`, `openssl req -config {{ x }}`.

The same files named by a variable were held to one file or folder name (`KUBECONFIG`, `BASH_ENV`), not by an option:
x = `/tmp/upload/evil` validated, and ssh ran the file's ProxyCommand, bash the file itself, openssl the provider its
`openssl_conf` loads (below, with each program; kubectl ran a user's `exec:` plugin, tried by hand: no kubectl in
Debian to install for a test). Such a value is one file or folder name now; so is one in `OPENSSL_CONF`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers_runbook import held_to_one_name

from runbook_tui.runbook.templating import render_command


@pytest.mark.parametrize(
    "template",
    [
        "ssh -F {{ x }} db1 uptime",
        "scp -F {{ x }} release.tgz db1:/tmp/",
        "sftp -F {{ x }} db1",
        "kubectl --kubeconfig {{ x }} get pods",
        "kubectl get pods --kubeconfig={{ x }}",
        "helm --kubeconfig {{ x }} list",
        "bash --rcfile {{ x }} -i -c true",
        "openssl req -config {{ x }} -new -key k.pem -out r.csr",
        "OPENSSL_CONF={{ x }} openssl version",
        "ssh -F /etc/ssh/{{ x }}/config db1 uptime",
    ],
)
def test_a_value_naming_such_a_file_is_one_name(template: str) -> None:
    held_to_one_name(template)


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("ssh -F /etc/ssh/{{ x }}.conf db1 uptime", "prod"),
        ("kubectl --kubeconfig=/etc/kube/{{ x }}.yaml get pods", "prod-eu"),
        ("kubectl exec web -- grep -F {{ x }} /var/log/app.log", "a/b c"),
        ("kubectl -n {{ x }} get pods", "prod"),
        ("openssl x509 -in /etc/ssl/{{ x }}.pem -noout -enddate", "db1"),
    ],
)
def test_other_values_there_pass(template: str, value: str) -> None:
    assert [v for _, v in render_command(template, {"x": value}).env] == [value]


def test_what_ssh_did_with_such_a_file(tmp_path: Path) -> None:
    (tmp_path / "evil").write_text(f"Host *\n  ProxyCommand touch {tmp_path / 'made'}\n")
    argv = ["ssh", "-F", str(tmp_path / "evil"), "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "db1", "true"]
    subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL, timeout=60, check=False)
    assert (tmp_path / "made").exists()


def test_what_bash_did_with_such_a_file(tmp_path: Path) -> None:
    (tmp_path / "evil").write_text(f"touch {tmp_path / 'made'}\n")
    subprocess.run(["bash", "--rcfile", str(tmp_path / "evil"), "-i", "-c", "true"], capture_output=True, stdin=subprocess.DEVNULL, timeout=30, check=False)
    assert (tmp_path / "made").exists()


def test_what_openssl_did_with_such_a_file(tmp_path: Path) -> None:
    source = tmp_path / "p.c"
    source.write_text(
        "#include <stdio.h>\n"
        f'__attribute__((constructor)) static void f(void) {{ FILE *m = fopen("{tmp_path / "made"}", "w"); if (m) fclose(m); }}\n'
        "int OSSL_provider_init(void) { return 0; }\n"
    )
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(tmp_path / "p.so"), str(source)], check=True, timeout=120)
    config = tmp_path / "evil"
    config.write_text(f"openssl_conf = init\n[init]\nproviders = prov\n[prov]\nevil = evil_sect\n[evil_sect]\nmodule = {tmp_path / 'p.so'}\nactivate = 1\n")
    argv = ["openssl", "req", "-config", str(config), "-new", "-subj", "/CN=x", "-newkey", "rsa:2048", "-nodes", "-keyout", "/dev/null", "-out", "/dev/null"]
    subprocess.run(argv, capture_output=True, timeout=60, check=False)
    assert (tmp_path / "made").exists()
