"""Use cases that look after a store: check its read model, rebuild it, copy a history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from events.files import InputError
from projections.chain import check_chain, marks_in
from projections.verify import Verdict
from projections.verify import verify as compare_with_log
from service.bootstrap import Upkeep
from service.stores import refuse_writing, resolve_store
from service.transfer import BATCH_SIZE
from service.transfer import copy_history as copy_stored_events


def log_end(upkeep: Upkeep) -> int:
    """How many notifications a rebuild will apply (the last id in the log; 0: empty)."""
    return upkeep.app.recorder.max_notification_id() or 0


def verify(upkeep: Upkeep) -> Verdict:
    """The read model compared with a fresh fold of the log, and the hash chain computed
    again over the stored events; nothing written."""
    verdict = compare_with_log(upkeep.app.recorder, upkeep.views)
    chain = check_chain(upkeep.app.mapper, upkeep.app.recorder)
    broken = [chain.broken] if chain.broken else []
    return Verdict(verdict.disagreements + broken, f"{verdict.summary}; {chain.summary()}")


def verify_against(upkeep: Upkeep, published: str, text: str) -> Verdict:
    """Whether the export ``published`` (its ``text``) shows the record as this store
    held it: the store's chain, after the number of changes the export names, must end
    in the head it names (and the chain up to there must hold), and the index that
    answers must agree with the log (as plain verify checks). Nothing written."""
    count, head = published_head(published, text)
    # The index is what every answer comes from: a matching log behind an edited index
    # would vouch for answers the log never gave.
    index = compare_with_log(upkeep.app.recorder, upkeep.views).disagreements
    chain = check_chain(upkeep.app.mapper, upkeep.app.recorder, at=count)
    claim = f"{published} names {count} recorded changes with chain head sha256:{head}"
    if chain.broken and chain.head_at is None:
        return Verdict([*index, chain.broken, f"{claim}; the store's chain breaks before that"], "")
    if chain.head_at is None:
        return Verdict([*index, f"{claim}, but the store holds only {chain.count}"], "")
    if chain.head_at != head:
        return Verdict(
            [*index, f"{claim}, but the store's chain at {count} has head sha256:{chain.head_at}"],
            "",
        )
    matches = f"{published} matches the store: its {count} recorded changes chain to the head"
    if chain.broken:
        return Verdict([*index, chain.broken, f"{matches}, but the chain breaks after them"], "")
    if index:
        return Verdict([*index, f"{matches}, but the store's index disagrees with its log"], "")
    later = chain.count - count
    since = f"{later} recorded since" if later else "nothing recorded since"
    return Verdict([], f"{matches} it names ({since})")


def published_head(published: str, text: str) -> tuple[int, str]:
    """The (count, head) a published export carries: a JSON export's ``chain``, else the
    one line every other format shows; InputError if there is none, or more than one."""
    import json

    try:
        chain = json.loads(text).get("chain")
    except (ValueError, AttributeError):
        chain = None
    if isinstance(chain, dict) and isinstance(chain.get("mark"), str):
        text = chain["mark"]  # only the export's own head, never one quoted in an event
    marks = marks_in(text)
    if not marks:
        raise InputError(
            published,
            "carries no chain head (the line 'uspk record: N recorded changes, chain head "
            "sha256:...'); exports in html, json, markdown, timelinejs, atom and sqlite carry one",
        )
    if len(marks) > 1:
        raise InputError(published, f"carries {len(marks)} different chain heads; which one?")
    return marks.pop()


def indexed_changes(upkeep: Upkeep) -> int:
    """How many recorded changes (events, amendments, retractions) the index holds."""
    return upkeep.views.chain_head()[0]


def may_rebuild(upkeep: Upkeep) -> None:
    """Refuse, in one line naming the missing right, a rebuild we may not write."""
    refuse_writing(upkeep.store, "rebuilding the index")


def rebuild(upkeep: Upkeep, progress: Callable[[int], None] | None = None) -> int:
    """Every read-model table made again from the log; how many notifications applied."""
    may_rebuild(upkeep)
    return upkeep.views.rebuild(upkeep.app.recorder, progress)


@dataclass(frozen=True)
class CopyReport:
    source: str  # the stores' addresses as shown to the user (no password)
    target: str
    copied: int  # stored events written to the target now
    present: int  # stored events the target already held, identical to the source's


def copy_history(
    source: str, target: str, create: bool = False, batch_size: int = BATCH_SIZE
) -> CopyReport:
    """Copy the history stored at address ``source`` into the store at ``target``
    (a SQLite target is made if need be, its folder only with ``create``)."""
    source_store = resolve_store(source, must_exist=True)
    target_store = resolve_store(target, create=create)
    outcome = copy_stored_events(source_store, target_store, batch_size=batch_size)
    return CopyReport(source_store.address, target_store.address, outcome.copied, outcome.present)
