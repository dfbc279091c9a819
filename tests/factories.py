"""Small, valid event documents for tests, built through the real models."""

from __future__ import annotations

from typing import Any

from events.files import validate

# Published after every test event: no source reports what had not yet happened.
SOURCE = {"publisher": "Test Gazette", "title": "A report", "published": "2026-06-30"}


def actor(actor_id: str, kind: str = "organisation", **extra: Any) -> dict[str, Any]:
    return {"id": actor_id, "name": actor_id.replace("-", " ").title(), "type": kind, **extra}


def doc(kind: str, event_id: str, occurred: str = "2025-09-08", **fields: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "kind": kind,
        "occurred": occurred,
        "title": f"{kind} {event_id}",
        "summary": "A test happening.",
        "sources": [SOURCE],
        **fields,
    }


def make(kind: str, event_id: str, occurred: str = "2025-09-08", **fields: Any):
    return validate(doc(kind, event_id, occurred, **fields), "test")


def introductions(*ids: str):
    return make(
        "meeting",
        "intro",
        "2025-06",
        participants=list(ids[:2]),
        introduces=[actor(i) for i in ids],
    )


def signing(
    agreement: str = "a1",
    event_id: str | None = None,
    occurred: str = "2025-09-08",
    parties: tuple[str, ...] = ("ussm", "fwo"),
    **fields: Any,
):
    return make(
        "agreement-signed",
        event_id or f"{agreement}-signed",
        occurred,
        agreement=agreement,
        instrument="MoU",
        parties=list(parties),
        scope="Critical minerals.",
        **fields,
    )


def commitment(
    agreement: str = "a1", event_id: str = "c1", occurred: str = "2025-09-08", **fields: Any
):
    return make(
        "commitment-made",
        event_id,
        occurred,
        agreement=agreement,
        description="First phase.",
        amount=500_000_000,
        currency="USD",
        approximate=True,
        **fields,
    )


def step(
    step_id: str = "s1", event_id: str | None = None, occurred: str = "2025-09-08", **fields: Any
):
    return make(
        "step-planned",
        event_id or f"{step_id}-planned",
        occurred,
        step=step_id,
        description="Form teams.",
        owners=["ussm"],
        **fields,
    )


def financing(event_id: str, stage: str, occurred: str = "2025-10-01", **fields: Any):
    """A loan to "A mine" by USSM at ``stage``."""
    return make(
        "financing",
        event_id,
        occurred,
        financing="loan",
        stage=stage,
        lender="ussm",
        project="A mine",
        **fields,
    )


def government_action(
    event_id: str, occurred: str, effective: str | None, measure: str = "tariff", **fields: Any
):
    """USSM's executive order on ``measure`` (a tariff by default), in force from
    ``effective`` (when given)."""
    return make(
        "government-action",
        event_id,
        occurred,
        authority="ussm",
        instrument="executive order",
        measure=measure,
        description="A tariff.",
        **({"effective": effective} if effective else {}),
        **fields,
    )


def progress(step_id: str, status: str, event_id: str, occurred: str = "2025-10"):
    return make("step-progressed", event_id, occurred, step=step_id, status=status)


def retraction(target: str, event_id: str | None = None, reason: str = "Wrong."):
    return validate(
        {
            "kind": "retraction",
            "id": event_id or f"retract-{target}",
            "retracts": target,
            "reason": reason,
            "sources": [SOURCE],
        },
        "test",
    )


def declare_noted_kind(kind: str, label: str) -> type:
    """A kind without rules of its own (an authority and a measure), as a new kind is:
    one model class. Call it inside ``events.registry.declaring()``, which forgets it."""
    from typing import Literal

    from events.model import ActorRef, Happening, Line
    from events.plover import Code, Plover

    namespace = {
        "__module__": __name__,
        "__annotations__": {"kind": Literal[kind], "authority": ActorRef, "measure": Line},
        "rank": 2,
        "label": label,
        "plover": Plover(Code("SANCTION", "discontinue"), actors=("authority",)),
    }
    return type(kind.title().replace("-", ""), (Happening,), namespace)


def noted(kind: str, event_id: str, occurred: str):
    """A happening of a kind ``declare_noted_kind`` made, validated as a file's is."""
    fields = {"authority": "ussm", "measure": f"Test {kind} {event_id}"}
    return validate(doc(kind, event_id, occurred, **fields), "test")
