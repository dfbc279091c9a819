"""Who records a change, and why: checked at the door, before any store is opened.

The recorder is the name given (``--as NAME``, or ``USPK_USER``); without one, the
PostgreSQL role the store is opened as, or the operating-system user, written with a
prefix (``pg:uspk_curator``, ``os:alice``) so that a fallback is never taken for a name
someone chose. Nothing is recorded anonymously by accident.
"""

from __future__ import annotations

import getpass
import re

from service.stores import Store

NAME_MAX = 100
MESSAGE_MAX = 2000
FALLBACKS = ("pg:", "os:")  # prefixes only a fallback carries
# No control characters at all in a name; a message may span lines (\n, \t).
_NAME_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_MESSAGE_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class BadSignature(ValueError):
    """A recorder name or message refused; ``str()`` is the one line to show."""


def checked_name(name: str, option: str = "--as") -> str:
    """``name`` as given, or BadSignature saying what is wrong with it."""
    if not name.strip():
        raise BadSignature(f"{option}: the recorder's name is empty; give a name")
    _refuse(name, option, "name", _NAME_BAD, NAME_MAX)
    if name.startswith(FALLBACKS) or name != name.strip():
        raise BadSignature(
            f"{option}: {name!r} starts with a space or with 'pg:' / 'os:', which "
            "mark a name uspk took from the system; give the name alone"
        )
    return name


def checked_message(message: str | None) -> str | None:
    """``message`` (None if not given), or BadSignature saying what is wrong with it."""
    if message is None:
        return None
    if not message.strip():
        raise BadSignature("-m: the message is empty; leave -m out, or say why")
    _refuse(message, "-m", "message", _MESSAGE_BAD, MESSAGE_MAX)
    return message


def _refuse(text: str, option: str, what: str, bad: re.Pattern[str], limit: int) -> None:
    found = bad.search(text)
    if found:
        raise BadSignature(
            f"{option}: the {what} holds the control character U+{ord(found.group()):04X}"
            f" at position {found.start() + 1}; write it without"
        )
    if len(text) > limit:
        raise BadSignature(
            f"{option}: the {what} is {len(text)} characters long, at most {limit} are kept"
        )


def fallback_recorder(store: Store) -> str:
    """The PostgreSQL role the store is opened as, else the operating-system user."""
    if store.is_postgres:
        return f"pg:{store.env['POSTGRES_USER']}"
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password file
        user = "unknown"
    return f"os:{_NAME_BAD.sub('?', user)[:NAME_MAX]}"
