"""A keyring backend for tests, installed the way keyring installs any: `PYTHON_KEYRING_BACKEND=keyring_backends.Scripted`
(with `tests/` on the path). What it does is read from `RBT_TEST_KEYRING`:

- `raise`: get_password raises a RuntimeError, as a DBus binding does when the session bus is gone;
- `locked`: raises keyring's own KeyringLocked;
- `hang`: never answers (a locked keyring waiting for an unlock prompt nobody sees);
- `missing`: nothing stored (None);
- `value:TEXT`: TEXT (`\\n`, `\\0` and `\\e` in it stand for a newline, a NUL and an ESC).
"""

from __future__ import annotations

import os
import threading

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordSetError


class Scripted(KeyringBackend):
    priority = 1  # type: ignore[assignment]  # keyring declares it a class property

    def get_password(self, service: str, username: str) -> str | None:
        what = os.environ.get("RBT_TEST_KEYRING", "missing")
        if what == "raise":
            raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided")
        if what == "locked":
            raise KeyringLocked("the collection is locked")
        if what == "hang":
            threading.Event().wait()
        if what.startswith("value:"):
            return what[6:].replace("\\n", "\n").replace("\\0", "\0").replace("\\e", "\x1b")
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("read only")

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordSetError("read only")
