"""Who records a change, and why: checked at the door, before any store is opened.

The recorder is the name given (``--as NAME``, or ``USPK_USER``); without one, the
PostgreSQL role the store is opened as, or the operating-system user, written with a
prefix (``pg:uspk_curator``, ``os:alice``) so that a fallback is never taken for a name
someone chose. Nothing is recorded anonymously by accident.
"""

from __future__ import annotations

import getpass
import re
import unicodedata

from service.stores import Store

NAME_MAX = 100
MESSAGE_MAX = 2000
FALLBACKS = ("pg:", "os:")  # prefixes only a fallback carries
# No control characters at all in a name; a message may span lines (\n, \t).
_NAME_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_MESSAGE_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Bytes that were not UTF-8 reach Python as lone surrogates (U+DC80-U+DCFF); Unicode's
# noncharacters are never text to exchange. Neither can be stored or hashed as UTF-8.
_NOT_TEXT = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)
# Invisible characters with no place in a name (joiners and direction marks, which Urdu
# and Arabic names need, are kept), and the brackets of markup.
_NAME_HIDDEN = re.compile("[\u00ad\u180e\u200b\u2060-\u2064\ufeff]")
_NAME_MARKUP = re.compile("[<>]")


class BadSignature(ValueError):
    """A recorder name or message refused; ``str()`` is the one line to show."""


def checked_name(name: str, option: str = "--as") -> str:
    """``name`` as given, or BadSignature saying what is wrong with it."""
    _refuse_non_text(name, option, "name")
    if not _visible(name):
        raise BadSignature(f"{option}: the recorder's name is empty or invisible; give a name")
    _refuse(name, option, "name", _NAME_BAD, NAME_MAX)
    hidden = _NAME_HIDDEN.search(name)
    if hidden:
        raise BadSignature(
            f"{option}: the name holds the invisible character U+{ord(hidden.group()):04X} at "
            f"position {hidden.start() + 1}; write it without"
        )
    if _NAME_MARKUP.search(name):
        raise BadSignature(
            f"{option}: the name holds '<' or '>' (markup is not a name); give the name alone"
        )
    if name.lower().startswith(FALLBACKS) or name != name.strip():
        raise BadSignature(
            f"{option}: {name!r} starts with a space or with 'pg:' / 'os:', which "
            "mark a name uspk took from the system; give the name alone"
        )
    return name


def checked_message(message: str | None) -> str | None:
    """``message`` (None if not given), or BadSignature saying what is wrong with it."""
    if message is None:
        return None
    _refuse_non_text(message, "-m", "message")
    if not _visible(message):
        raise BadSignature("-m: the message is empty or invisible; leave -m out, or say why")
    _refuse(message, "-m", "message", _MESSAGE_BAD, MESSAGE_MAX)
    return message


def _refuse_non_text(text: str, option: str, what: str) -> None:
    found = _NOT_TEXT.search(text)
    if found is None:
        return
    code, at = ord(found.group()), found.start() + 1
    if 0xDC80 <= code <= 0xDCFF:  # how Python hands over a byte that was not UTF-8
        raise BadSignature(
            f"{option}: the {what} holds the byte 0x{code - 0xDC00:02X} at position {at}, "
            "which is not UTF-8; give it as UTF-8 text"
        )
    raise BadSignature(
        f"{option}: the {what} holds U+{code:04X} at position {at}, which is not a "
        "character (a surrogate or a noncharacter); write it without"
    )


def _visible(text: str) -> bool:
    """Whether ``text`` shows anything: a letter, digit, punctuation mark or symbol."""
    return any(unicodedata.category(char)[0] in "LNPS" for char in text)


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
