"""A stored event decoded with the store's settings or, for one an older release wrote
with other settings, with those: the chain's check (verify) and the index's catch-up
decode alike, so a store such a release mixed verifies and indexes once the event is
retracted."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Mapper


def decoded_under_any_settings(mapper: Mapper, notification: Any) -> Any:
    """The stored event decoded with the store's settings, or else, for an event an older
    release wrote with other ones (plain, or compressed, in a store that is not), with
    those: its link is checked all the same, so a store such a release mixed still
    verifies once the event is retracted. Bytes no settings decode (edited, or encrypted
    with another key) raise, as a break."""
    try:
        return mapper.to_domain_event(notification)
    except Exception:
        for other in _other_settings(mapper):
            try:
                return other.to_domain_event(notification)
            except Exception:  # noqa: BLE001, S112 - not these settings either
                continue
        raise


def _other_settings(mapper: Mapper) -> list[Mapper]:
    """Plain and zlib-compressed: the settings recognisable without a key (one of them
    may be the store's own, tried again: only for an event that failed to decode)."""
    from eventsourcing.compressor import ZlibCompressor

    return [Mapper(mapper.transcoder), Mapper(mapper.transcoder, ZlibCompressor())]
