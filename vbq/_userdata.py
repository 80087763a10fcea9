"""Where VBQ Explorer keeps what it writes for a user: the measurement database and the
installation's secret key. Never inside the installed package.

The folder is, in order of precedence:

1. the ``VBQ_DATA_DIR`` environment variable, when set (a lab server, a test, a container);
2. otherwise the operating system's per-user data folder for "vbq-explorer", as
   `platformdirs.user_data_dir` gives it (``~/.local/share/vbq-explorer`` on Linux,
   ``~/Library/Application Support/vbq-explorer`` on macOS, ``%LOCALAPPDATA%\\vbq-explorer`` on
   Windows).

platformdirs is used rather than a hand-written table of folders: it follows each system's own
rules (XDG variables on Linux included) and is kept up to date by others.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import platformdirs

__all__ = ["DATA_DIR_VARIABLE", "SECRET_VARIABLE", "data_dir", "installation_secret"]

DATA_DIR_VARIABLE = "VBQ_DATA_DIR"
"""Environment variable that, when set, names the folder VBQ Explorer writes to."""

SECRET_VARIABLE = "VBQ_SECRET"
"""Environment variable that, when set, holds the installation's secret key (hexadecimal, at least
32 hex digits); otherwise the key is kept in ``secret.key`` in `data_dir`."""

_SECRET_FILE = "secret.key"
_SECRET_BYTES = 32


def data_dir(*, create: bool = False) -> Path:
    """The folder VBQ Explorer writes a user's data to (see the module's docstring).

    Parameters
    ----------
    create : bool
        Make the folder (and its parents) when it does not exist yet.
    """
    given = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    folder = Path(given).expanduser() if given else Path(platformdirs.user_data_dir("vbq-explorer",
                                                                                      appauthor=False))
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def installation_secret() -> bytes:
    """This installation's secret key, made on first use.

    The key is 32 random bytes (`secrets.token_bytes`), written once to ``secret.key`` in
    `data_dir` with permissions 0600, or read from the ``VBQ_SECRET`` environment variable when
    that is set (for a server whose disk does not last, or several servers sharing one database).
    It keys the series fingerprint (HMAC-SHA-256), so that someone who holds a study's UIDs but
    not this key cannot link a stored reading back to the study.
    """
    given = os.environ.get(SECRET_VARIABLE, "").strip()
    if given:
        try:
            key = bytes.fromhex(given)
        except ValueError:
            raise ValueError(f"{SECRET_VARIABLE} must be hexadecimal digits") from None
        if len(key) < 16:
            raise ValueError(f"{SECRET_VARIABLE} must hold at least 32 hexadecimal digits")
        return key
    path = data_dir(create=True) / _SECRET_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = secrets.token_bytes(_SECRET_BYTES)
        # O_EXCL: when two processes make the key at once, the second reads the first's
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
    return key
