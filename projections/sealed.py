"""The index never holds more than the log reveals: the one place its text is sealed.

Under a cipher (``CIPHER_TOPIC``/``CIPHER_KEY``), the event log holds each event
encrypted; the index (projections/readmodel.py) keeps beside it, for its queries, what
it must compare and order in SQL (event ids, kinds, dates, ranks, recorded times, actor
and thing keys, hidings, chain links) in clear, and every piece of text a reader sees
(the document, its recorder and its message) encrypted with the application's own
cipher, as base64 text. Without a cipher the text is kept as it is.

Every text the index writes or reads goes through ``IndexText.seal`` and
``IndexText.unseal``, and nothing else encodes or decodes it.
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from typing import Any


class IndexText:
    """How the index keeps text: as it is, or sealed with the application's cipher."""

    def __init__(self, cipher: Any | None) -> None:
        self.cipher = cipher  # eventsourcing's Cipher (the mapper's), or None

    @property
    def sealed(self) -> bool:
        return self.cipher is not None

    def seal(self, text: str | None) -> str | None:
        """What the index stores for ``text`` (None stays None)."""
        if text is None or self.cipher is None:
            return text
        return b64encode(self.cipher.encrypt(text.encode("utf-8"))).decode("ascii")

    def unseal(self, stored: str | None) -> str | None:
        """The text that ``seal`` stored as ``stored``."""
        if stored is None or self.cipher is None:
            return stored
        return self.cipher.decrypt(b64decode(stored)).decode("utf-8")
