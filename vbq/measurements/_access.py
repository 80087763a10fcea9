"""Who may change the stored measurements: the rule, as pure functions of who is signed in.

The app signs people in with Streamlit's built-in authentication (``st.login`` with an OpenID
Connect provider in ``.streamlit/secrets.toml``) where it is configured; these functions hold
the rule itself, so it is tested without a browser or a provider (``ui/access.py`` reads
``st.user`` and the secrets and asks them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import InputError

ACTIONS = ("save", "import", "delete")
"""What `may_change` is asked about: saving a reading (new, or a correction of one), importing
a CSV (whose rows may replace stored readings) and deleting a reading."""

_VERBS = {"save": "save", "import": "import", "delete": "delete"}
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


@dataclass(frozen=True)
class Editor:
    """A signed-in person who may change measurements.

    Attributes
    ----------
    email : str
        The e-mail address the identity provider vouched for (lower case).
    observer : str
        Their observer code: every reading they save is saved under it.
    admin : bool
        Whether they administer the database (may import and delete every observer's readings).
    """

    email: str
    observer: str
    admin: bool = False


@dataclass(frozen=True)
class Permission:
    """The answer of `may_change`.

    Attributes
    ----------
    allowed : bool
    reason : str
        Why, in words for the person asking (shown when refused).
    """

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def observer_code(email: str, observers: Mapping[str, str] | None = None) -> str:
    """The observer code of a signed-in person.

    Parameters
    ----------
    email : str
        Their e-mail address.
    observers : mapping, optional
        E-mail address -> observer code, as the administrator set it (matched in any case).

    Returns
    -------
    str
        The code the mapping gives; else the part of the address before the ``@`` with every
        character an observer code does not take replaced by ``-`` (``jane.doe@lab.org`` ->
        ``jane.doe``), at most 32 characters.

    Raises
    ------
    InputError
        The mapping gives a code that is not an observer code (letters, digits and . _ -,
        starting with a letter or digit, at most 32 characters), or `email` has no local part.
    """
    address = str(email).strip().lower()
    given = {str(k).strip().lower(): str(v).strip() for k, v in (observers or {}).items()}
    if address in given:
        code = given[address]
        if not _CODE.fullmatch(code):
            raise InputError(f"the observer code set for {address} ({code!r}) is not an "
                             "observer code: letters, digits and . _ -, starting with a letter "
                             "or digit, at most 32 characters")
        return code
    local = address.split("@", 1)[0]
    code = re.sub(r"[^A-Za-z0-9._-]", "-", local).lstrip("._-")[:32]
    if not code:
        raise InputError(f"no observer code can be made from the address {address!r}; set one "
                         "for it in the secrets ([vbq_access.observers])")
    return code


def editor_for(email: str, *, admins: Iterable[str] = (),
               observers: Mapping[str, str] | None = None) -> Editor:
    """The `Editor` for a signed-in e-mail address: its observer code (`observer_code`) and
    whether it is one of `admins` (compared in any case)."""
    address = str(email).strip().lower()
    return Editor(email=address, observer=observer_code(address, observers),
                  admin=address in {str(a).strip().lower() for a in admins})


def may_change(editor: Editor | None, action: str, observers: Iterable[str], *,
               authentication: bool = True) -> Permission:
    """Whether `editor` may `action` readings of these observers.

    Parameters
    ----------
    editor : Editor or None
        The signed-in person; None when nobody is signed in.
    action : {"save", "import", "delete"}
    observers : iterable of str
        The observer codes of the readings concerned (for an import, those of its rows).
    authentication : bool, default True, keyword-only
        Whether sign-in is configured. Without it nobody can be told apart, so everything is
        allowed, and the reason says that anyone with the link can change the measurements.

    Returns
    -------
    Permission
        Allowed: without authentication; for an administrator; for anyone signed in whose own
        readings they all are (their observer code). Refused: nobody signed in; readings of
        another observer (named) for someone who is not an administrator.

    Raises
    ------
    InputError
        `action` is not one of `ACTIONS`.
    """
    if action not in ACTIONS:
        raise InputError(f"action: expected one of {ACTIONS}, got {action!r}")
    verb = _VERBS[action]
    if not authentication:
        return Permission(True, "No sign-in is configured: anyone who can open this app can "
                                "save, import and delete measurements.")
    if editor is None:
        return Permission(False, f"Sign in to {verb} measurements.")
    if editor.admin:
        return Permission(True, f"{editor.email} administers the measurement database.")
    others = sorted({str(o) for o in observers} - {editor.observer})
    if others:
        whose = ", ".join(others)
        return Permission(False, f"You are signed in as observer {editor.observer}; the "
                                 f"readings of observer(s) {whose} are someone else's. Only "
                                 f"they or an administrator may {verb} them.")
    return Permission(True, f"Your own readings (observer {editor.observer}).")
