"""Who is changing the measurements: Streamlit's built-in sign-in where it is configured, and
the notice where it is not. The rule itself is `vbq.measurements.may_change`.

Sign-in is configured by an ``[auth]`` section in ``.streamlit/secrets.toml`` (an OpenID
Connect provider: ``redirect_uri``, ``cookie_secret``, ``client_id``, ``client_secret``,
``server_metadata_url``; Streamlit's ``st.login``, which needs Authlib). The app's own section
says who administers the database and, optionally, each person's observer code::

    [vbq_access]
    admins = ["head.of.lab@example.org"]
    [vbq_access.observers]
    "jane.doe@example.org" = "JD"

This is the one module that reads ``st.user``; tests seed it with ``AppTest.user`` and the
secrets with ``AppTest.secrets``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

import vbq
from ui.display import plain
from vbq.measurements import Editor, Permission, editor_for, may_change

SECTION = "vbq_access"
OPEN_NOTICE = ("Anyone with the link to this app can save, import and delete measurements: no "
               "sign-in is configured. To tie each reading to the person who made it, configure "
               "sign-in (README, \"Who may change the measurements\").")


def _secrets(name: str) -> Mapping:
    try:
        section = st.secrets.get(name) or {}
    except Exception:  # no secrets file at all (FileNotFoundError and Streamlit's own errors)
        return {}
    return section.to_dict() if hasattr(section, "to_dict") else dict(section)


def authentication() -> bool:
    """Whether sign-in is configured (an ``[auth]`` section in the secrets)."""
    return bool(_secrets("auth"))


def editor() -> Editor | None:
    """The signed-in person (None when nobody is signed in or sign-in is not configured);
    raises `vbq.InputError` when the secrets give them an observer code that is not one."""
    if not authentication() or not st.user.get("is_logged_in"):
        return None
    email = st.user.get("email")
    if not email:
        raise vbq.InputError("the identity provider did not give an e-mail address; add the "
                             "\"email\" scope to [auth] in the secrets")
    access = _secrets(SECTION)
    return editor_for(str(email), admins=access.get("admins") or (),
                      observers=access.get("observers") or None)


def check(action: str, observers: Iterable[str]) -> Permission:
    """`vbq.measurements.may_change` for the person using this session."""
    return may_change(_editor_or_none(), action, observers, authentication=authentication())


def _editor_or_none() -> Editor | None:
    try:
        return editor()
    except vbq.InputError:
        return None


def only_observer() -> str | None:
    """The observer an import is restricted to: the signed-in person's code, None for an
    administrator or without sign-in."""
    who = _editor_or_none()
    return None if who is None or who.admin else who.observer


def banner() -> None:
    """Above the database section: who is signed in (with a sign-out button), a sign-in
    button, or, without sign-in configured, that anyone with the link can change the data."""
    if not authentication():
        st.warning(OPEN_NOTICE, icon=":material/lock_open:")
        return
    try:
        who = editor()
    except vbq.InputError as exc:
        st.error(f"Signed in, but: {plain(exc)}")
        return
    if who is None:
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.info("Sign in to save, import or delete measurements; you can look at them "
                "without signing in.", icon=":material/lock:")
        c2.button("Sign in", key="measure_login", on_click=st.login)
        return
    role = "administrator" if who.admin else "your own readings only"
    c1, c2 = st.columns([4, 1], vertical_alignment="center")
    c1.caption(f"Signed in as {plain(who.email)}: observer {plain(who.observer)} ({role}).")
    c2.button("Sign out", key="measure_logout", on_click=st.logout)


def observer_field(column) -> str:
    """The observer box of the save form: the signed-in person's code, fixed; else typed."""
    who = _editor_or_none()
    if who is not None:
        column.text_input("Observer (your sign-in)", value=who.observer, disabled=True,
                          key="measure_observer_signed_in",
                          help="Readings are saved under the observer code of the person "
                               "signed in.")
        return who.observer
    return column.text_input("Observer (initials or code)", key="measure_observer",
                             placeholder="e.g. AB").strip()
