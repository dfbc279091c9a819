"""Synthetic histories for the benchmark: N cited events, valid under the domain's rules.

Deterministic from a seed. The mix imitates a long record of a relationship kept from a
news feed: many actors (people, organisations, states) introduced as they first appear,
agreements signed once by two or three distinct parties, commitments, statements and
steps that refer to agreements already signed, steps that move planned -> under-way ->
done | dropped, a few backfilled events (appended late about an early date), and a few
corrections (retractions and amendments of earlier statements and commitments).

How validity is kept by construction. The fold order is ``replay_key`` = (occurred.start,
kind rank, id), and a month- or year-precision event sorts by the *start* of its month or
year. So the generator first draws every happening's date and precision, groups the
happenings by their start date, and walks the groups in order; within a group it only
refers to actors, agreements and steps created by *earlier* groups (what a group creates
becomes usable after it). Every dependency therefore sorts strictly before what depends on
it, whatever the kind ranks and ids. The append order is the replay order, with leaves
(events nothing depends on) sometimes moved later, and corrections after their targets.

    python -m benchmarks.synthetic --check 10000      # generate, validate, fold, record
    python -m benchmarks.synthetic --dump 1000 > h.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

DEFAULT_SEED = 2025
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2025, 12, 31)

# Relative weights of the happening kinds (a kind that cannot happen yet falls back to a
# meeting or a statement: no commitment before any agreement is signed, and so on).
KIND_WEIGHTS = {
    "meeting": 14,
    "visit": 8,
    "agreement-signed": 8,
    "commitment-made": 12,
    "statement-made": 22,
    "step-planned": 16,
    "step-progressed": 20,
}
PRECISION_WEIGHTS = {"day": 80, "month": 15, "year": 5}
CORRECTION_RATE = 0.008  # retractions + amendments, as a share of all documents
BACKFILL_RATE = 0.03  # share of leaf events appended later than their replay position

_KIND_PREFIX = {
    "meeting": "mtg",
    "visit": "vis",
    "agreement-signed": "sig",
    "commitment-made": "com",
    "statement-made": "stm",
    "step-planned": "stp",
    "step-progressed": "prg",
}

# -- vocabulary for names and text --------------------------------------------------------


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


_FIRST = _words(
    "Amina Bilal Carter Dana Elif Farhan Grace Hamza Imran Jane Khalid Laila Mark Nadia "
    "Omar Priya Qasim Rosa Saad Tara Usman Vera Waqar Yusuf Zara Ahmed Beth Chen Dawood "
    "Erin Faisal Gul Hina Iqbal Joel Kamran Lina Murad Noor Owen Pervez Rania Sana Tom"
)
_LAST = _words(
    "Abbasi Baker Chaudhry Dar Evans Farooq Gill Haider Iqbal Jones Khan Lodhi Malik "
    "Nawaz Owens Qureshi Rahman Shah Taylor Usmani Vance Wahid Yousaf Zaidi Brooks "
    "Cheema Durrani Ellis Fisher Gondal Hussain Janjua Kazmi Leghari Mirza Niazi"
)
_STATES = _words(
    "United States|Pakistan|China|Saudi Arabia|United Arab Emirates|Qatar|Turkey|Iran|"
    "Afghanistan|India|United Kingdom|Japan|Germany|France|Canada|Australia|Kazakhstan|"
    "Uzbekistan|Azerbaijan|Oman|Kuwait|Bahrain|Egypt|Indonesia|Malaysia|South Korea|"
    "Italy|Spain|Netherlands|Norway|Sweden|Brazil|Chile|Peru|Morocco|Kenya|Nigeria",
    "|",
)
_ORG_HEAD = _words(
    "Frontier Northern Indus Atlantic Karakoram Pacific Allied Strategic Continental "
    "Federal National United Consolidated Global Eastern Western Capital Summit Gateway"
)
_ORG_BODY = _words(
    "Metals Minerals Mining Resources Logistics Energy Refining Holdings Works Petroleum "
    "Infrastructure Investment Rail Ports Exploration Engineering Capital Trade"
)
_ORG_TAIL = ("Corporation", "Company", "Authority", "Group", "Ltd", "Organization", "Board")
_ROLES = (
    "Minister",
    "Ambassador",
    "Chief Executive",
    "Chairman",
    "Special Envoy",
    "Deputy Chief of Mission",
    "Secretary",
    "Adviser",
    "Director General",
    "Spokesperson",
)
_PUBLISHERS = (
    "APP (Associated Press of Pakistan)",
    "Business Recorder",
    "Dawn",
    "The Express Tribune",
    "The News International",
    "Reuters",
    "Associated Press",
    "Arab News",
    "US Embassy Islamabad",
    "Ministry of Foreign Affairs, Pakistan",
    "US Department of State",
    "Nikkei Asia",
    "Bloomberg",
)
_MINERALS = _words(
    "antimony copper gold tungsten lithium cobalt graphite nickel chromite zinc lead "
    "manganese bauxite iron-ore"
)
_MINERALS = [m.replace("-", " ") for m in _MINERALS] + ["rare earth elements"]
_SECTORS = (
    "critical minerals",
    "mining",
    "mineral processing",
    "logistics",
    "energy",
    "agriculture",
    "information technology",
    "infrastructure",
    "defence",
    "trade",
    "investment",
    "education",
)
_INSTRUMENTS = ("MoU", "agreement", "framework agreement", "contract", "letter of intent")
_PLACES = (
    "Islamabad",
    "Washington",
    "Karachi",
    "Lahore",
    "New York",
    "Riyadh",
    "Doha",
    "Rawalpindi",
    "Quetta",
    "Peshawar",
)
_WORDS = _words(
    "the delegation discussed cooperation in critical minerals and mining investment while "
    "officials from both sides reviewed progress on trade logistics energy security and "
    "the exploration of the resource base with a view to long-term partnership in "
    "extraction processing and export under a framework both governments welcomed as a "
    "milestone for bilateral relations and for attracting global investment to the sector"
)


def _sentence(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(_WORDS))
    picked = [_WORDS[(start + i) % len(_WORDS)] for i in range(words)]
    return " ".join(picked).capitalize() + "."


def _text(rng: random.Random, sentences: int, low: int = 12, high: int = 24) -> str:
    return " ".join(_sentence(rng, rng.randint(low, high)) for _ in range(sentences))


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# -- the generator ------------------------------------------------------------------------


@dataclass
class _Slot:
    """A happening-to-be: its true day, the precision told, and so its replay start."""

    day: date
    precision: str

    @property
    def start(self) -> date:
        if self.precision == "day":
            return self.day
        if self.precision == "month":
            return self.day.replace(day=1)
        return self.day.replace(month=1, day=1)

    @property
    def edtf(self) -> str:
        if self.precision == "day":
            return self.day.isoformat()
        if self.precision == "month":
            return f"{self.day:%Y-%m}"
        return f"{self.day:%Y}"


@dataclass
class _Pools:
    """What earlier groups created and later events may refer to."""

    actors: dict[str, list[str]] = field(
        default_factory=lambda: {"person": [], "organisation": [], "state": []}
    )
    agreements: list[str] = field(default_factory=list)
    steps: dict[str, str] = field(default_factory=dict)  # step id -> status (open ones)


class _Generator:
    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.pools = _Pools()
        self.serial = 0
        self.actor_serial = 0
        self.states_left = list(_STATES)
        self.target_actors = 20 + n // 25
        # chance that an actor slot names someone new (about 2.5 actor slots per event)
        self.p_new = min(0.5, self.target_actors / (2.5 * max(n, 1)))
        # created by the group being generated; usable from the next group on
        self.pending_actors: dict[str, list[str]] = {"person": [], "organisation": [], "state": []}
        self.pending_agreements: list[str] = []
        self.pending_steps: dict[str, str] = {}
        self.busy_steps: set[str] = set()

    # -- dates ----------------------------------------------------------------------------

    def slots(self, count: int) -> list[_Slot]:
        span = (LAST_DAY - FIRST_DAY).days
        out = []
        for _ in range(count):
            # more happenings in later years, as news coverage grows
            offset = int(span * self.rng.random() ** 0.6)
            out.append(
                _Slot(FIRST_DAY + timedelta(days=offset), _weighted(self.rng, PRECISION_WEIGHTS))
            )
        out.sort(key=lambda s: (s.start, s.day))
        return out

    # -- actors ---------------------------------------------------------------------------

    def _new_actor(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        self.actor_serial += 1
        k = self.actor_serial
        if kind == "state" and self.states_left:
            name = self.states_left.pop(0)
            actor = {"id": _slug(name), "name": name, "type": "state"}
            return actor
        if kind == "state":
            name = f"State {k}"
            return {"id": f"state-{k}", "name": name, "type": "state"}
        country = rng.choice(_STATES[:6])
        # Names and aliases carry the serial: the record refuses an actor whose name or
        # alias already names another, and drawn names repeat.
        if kind == "person":
            drawn = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            name = f"{drawn} {k}"
            actor = {"id": f"{_slug(drawn)}-{k}", "name": name, "type": "person"}
            actor["role"] = f"{rng.choice(_ROLES)}, {country}"
        else:
            drawn = f"{rng.choice(_ORG_HEAD)} {rng.choice(_ORG_BODY)} {rng.choice(_ORG_TAIL)}"
            actor = {"id": f"{_slug(drawn)}-{k}", "name": f"{drawn} {k}", "type": "organisation"}
            initials = "".join(w[0] for w in drawn.split())
            actor["aliases"] = [f"{initials}-{k}"]
        actor["country"] = country
        return actor

    def actors(self, kind: str, count: int, introduces: list[dict], exclude: Iterable[str] = ()):
        """``count`` distinct actor ids of ``kind``; new ones are introduced by this event."""
        rng = self.rng
        pool = self.pools.actors[kind]
        chosen: list[str] = []
        taken = set(exclude)
        for _ in range(count):
            usable = len(pool) - len(taken)  # conservative: ``taken`` may hold new ones
            if usable <= 0 or rng.random() < self.p_new:
                actor = self._new_actor(kind)
                if actor["id"] in taken:
                    continue
                introduces.append(actor)
                self.pending_actors[kind].append(actor["id"])
                chosen.append(actor["id"])
                taken.add(actor["id"])
                continue
            for _ in range(8):  # popular early actors and recent ones, both
                if rng.random() < 0.5:
                    candidate = pool[int(len(pool) * rng.random() ** 3)]
                else:
                    candidate = pool[-1 - int(min(len(pool), 200) * rng.random())]
                if candidate not in taken:
                    break
            else:
                candidate = next(a for a in pool if a not in taken)
            chosen.append(candidate)
            taken.add(candidate)
        return chosen

    # -- documents ------------------------------------------------------------------------

    def _sources(self, slot: _Slot) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        for _ in range(rng.choices((1, 2, 3), weights=(55, 35, 10))[0]):
            published = slot.day + timedelta(days=rng.randint(0, 2))
            publisher = rng.choice(_PUBLISHERS)
            source = {
                "publisher": publisher,
                "title": _sentence(rng, rng.randint(5, 10)).rstrip("."),
                "published": published.isoformat(),
                "url": f"https://news.example.org/{published:%Y/%m/%d}/{self.serial}-"
                f"{_slug(publisher)[:20]}",
            }
            if rng.random() < 0.8:
                source["quote"] = _text(rng, rng.randint(1, 2))
            out.append(source)
        return out

    def _base(self, kind: str, slot: _Slot, introduces: list[dict]) -> dict[str, Any]:
        self.serial += 1
        rng = self.rng
        doc: dict[str, Any] = {
            "id": f"{_KIND_PREFIX[kind]}-{slot.start:%Y%m%d}-{self.serial:06d}",
            "kind": kind,
            "occurred": slot.edtf,
            "title": _sentence(rng, rng.randint(6, 11)).rstrip("."),
            "summary": _text(rng, rng.randint(1, 3)),
            "sources": self._sources(slot),
        }
        if introduces:
            doc["introduces"] = introduces
        if rng.random() < 0.1:
            doc["note"] = _text(rng, 1)
        return doc

    def happening(self, kind: str, slot: _Slot) -> dict[str, Any]:
        rng = self.rng
        intro: list[dict] = []
        fields: dict[str, Any] = {}
        if kind == "meeting":
            people = self.actors("person", rng.randint(2, 4), intro)
            fields = {"participants": people, "place": rng.choice(_PLACES)}
            if rng.random() < 0.5:
                fields["actors"] = self.actors("state", rng.randint(1, 2), intro)
            if rng.random() < 0.6:
                fields["outcomes"] = [_text(rng, 1) for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.4:
                fields["priority_areas"] = rng.sample(_SECTORS, rng.randint(1, 3))
        elif kind == "visit":
            origin, destination = self.actors("state", 2, intro)
            fields = {
                "delegation": self.actors("organisation", rng.randint(1, 3), intro),
                "origin": origin,
                "destination": destination,
                "purpose": _text(rng, 1),
            }
            if slot.precision == "day" and rng.random() < 0.5:
                fields["until"] = (slot.day + timedelta(days=rng.randint(0, 5))).isoformat()
        elif kind == "agreement-signed":
            parties = self.actors(rng.choice(("organisation", "state")), rng.randint(2, 3), intro)
            agreement = f"agr-{self.serial + 1:06d}-{_slug(rng.choice(_SECTORS))}"
            self.pending_agreements.append(agreement)
            fields = {
                "agreement": agreement,
                "instrument": rng.choice(_INSTRUMENTS),
                "parties": parties,
                "scope": _text(rng, 1),
                "minerals": rng.sample(_MINERALS, rng.randint(0, 4)),
                "sectors": rng.sample(_SECTORS, rng.randint(1, 3)),
            }
            if rng.random() < 0.6:
                fields["witnesses"] = self.actors("person", rng.randint(1, 3), intro)
            if rng.random() < 0.7:
                fields["venue"] = rng.choice(_PLACES)
        elif kind == "commitment-made":
            fields = {"agreement": self._agreement(), "description": _text(rng, 1)}
            if rng.random() < 0.7:
                fields["amount"] = rng.randint(1, 900) * 10 ** rng.choice((6, 6, 7, 8, 9))
                fields["currency"] = rng.choice(("USD", "USD", "USD", "PKR", "EUR"))
                fields["approximate"] = rng.random() < 0.4
            if rng.random() < 0.3:
                fields["phase"] = rng.choice(("first phase", "second phase", "pilot", "final"))
        elif kind == "statement-made":
            fields = {"speaker": self.actors("person", 1, intro)[0], "quote": _text(rng, 1)}
            if rng.random() < 0.6:
                behalf_kind = rng.choice(("state", "organisation"))
                fields["on_behalf_of"] = self.actors(behalf_kind, 1, intro)[0]
            if self.pools.agreements and rng.random() < 0.5:
                fields["about"] = self._agreement()
        elif kind == "step-planned":
            step = f"step-{self.serial + 1:06d}"
            self.pending_steps[step] = "planned"
            fields = {
                "step": step,
                "description": _text(rng, 1),
                "owners": self.actors("organisation", rng.randint(1, 2), intro),
            }
            if self.pools.agreements and rng.random() < 0.7:
                fields["agreement"] = self._agreement()
            if rng.random() < 0.5:
                target = slot.day + timedelta(days=rng.randint(30, 720))
                fields["target"] = f"{target:%Y-%m}"
        elif kind == "step-progressed":
            step = self._open_step()
            old = self.pools.steps[step]
            if old == "planned":
                new = rng.choices(("under-way", "done", "dropped"), weights=(80, 8, 12))[0]
            else:
                new = rng.choices(("done", "dropped"), weights=(75, 25))[0]
            self.busy_steps.add(step)
            self.pending_steps[step] = new
            fields = {"step": step, "status": new}
        if rng.random() < 0.3 and kind not in ("meeting",):
            fields.setdefault("actors", self.actors("state", 1, intro))
        return {**self._base(kind, slot, intro), **fields}

    def _agreement(self) -> str:
        pool = self.pools.agreements
        if self.rng.random() < 0.7:  # mostly the recent ones
            return pool[-1 - int(min(len(pool), 50) * self.rng.random())]
        return self.rng.choice(pool)

    def _open_step(self) -> str:
        open_steps = self.pools.steps
        for _ in range(16):
            step = self.rng.choice(self._open_list)
            if step in open_steps and step not in self.busy_steps:
                return step
        return next(s for s in self._open_list if s in open_steps and s not in self.busy_steps)

    def feasible(self, kind: str) -> bool:
        if kind == "commitment-made":
            return bool(self.pools.agreements)
        if kind == "step-progressed":
            return len(self.pools.steps) > len(self.busy_steps)
        return True

    def end_group(self) -> None:
        for kind, ids in self.pending_actors.items():
            self.pools.actors[kind].extend(ids)
            ids.clear()
        self.pools.agreements.extend(self.pending_agreements)
        self.pending_agreements.clear()
        for step, status in self.pending_steps.items():
            if status in ("done", "dropped"):
                self.pools.steps.pop(step, None)
            else:
                self.pools.steps[step] = status
        self.pending_steps.clear()
        self.busy_steps.clear()
        self._open_list = list(self.pools.steps)

    def happenings(self, count: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        self._open_list: list[str] = []
        slots = self.slots(count)
        i = 0
        while i < len(slots):
            j = i
            while j < len(slots) and slots[j].start == slots[i].start:
                j += 1
            for slot in slots[i:j]:
                kind = _weighted(self.rng, KIND_WEIGHTS)
                if not self.feasible(kind):
                    kind = self.rng.choice(("meeting", "statement-made", "agreement-signed"))
                out.append(self.happening(kind, slot))
            self.end_group()
            i = j
        return out


def _build(n: int, seed: int) -> list[tuple[dict[str, Any], Any]]:
    """(raw document, validated model) pairs, in append order."""
    from domain.world import replay_key
    from events.files import validate

    gen = _Generator(n, seed)
    rng = random.Random(seed + 1)
    corrections = int(n * CORRECTION_RATE) if n >= 200 else 0
    pairs = [(raw, validate(raw, "synthetic")) for raw in gen.happenings(n - corrections)]
    pairs.sort(key=lambda pair: replay_key(pair[1]))  # the domain's own replay order

    # Backfill: some leaves (events nothing depends on) are appended later than their place.
    leaves = [
        i
        for i, (raw, _) in enumerate(pairs)
        if raw["kind"] in ("meeting", "visit", "statement-made", "commitment-made")
        and "introduces" not in raw
    ]
    moved: dict[int, list] = {}
    stay = [True] * len(pairs)
    for i in rng.sample(leaves, int(len(leaves) * BACKFILL_RATE)):
        later = min(len(pairs) - 1, i + rng.randint(1, max(10, n // 5)))
        moved.setdefault(later, []).append(pairs[i])
        stay[i] = False
    ordered: list = []
    for i, pair in enumerate(pairs):
        if stay[i]:
            ordered.append(pair)
        ordered.extend(moved.get(i, ()))

    # Corrections: retract or amend a statement/commitment that introduces nobody, later on.
    candidates = [
        i
        for i, (raw, _) in enumerate(ordered)
        if raw["kind"] in ("statement-made", "commitment-made") and "introduces" not in raw
    ]
    inserts: dict[int, list] = {}
    for k, i in enumerate(sorted(rng.sample(candidates, min(corrections, len(candidates))))):
        target = ordered[i][0]
        later = min(len(ordered) - 1, i + rng.randint(1, max(10, n // 10)))
        source = {
            "publisher": rng.choice(_PUBLISHERS),
            "title": "Correction",
            "published": "2025-12-31",
            "quote": _text(rng, 1),
        }
        if k % 2 == 0:
            fix = {
                "kind": "retraction",
                "id": f"ret-{k:06d}-{target['id']}"[:80],
                "retracts": target["id"],
                "reason": "The report was withdrawn by its publisher. " + _text(rng, 1),
                "sources": [source],
            }
        else:
            fix = {
                **target,
                "id": f"amd-{k:06d}-{target['id']}"[:80],
                "supersedes": target["id"],
                "note": "Corrects the earlier record. " + _text(rng, 1),
                "sources": [*target["sources"], source],
            }
            if fix["kind"] == "statement-made":
                fix["quote"] = _text(rng, 1)
            elif "amount" in fix:
                fix["amount"] = fix["amount"] * 2
        inserts.setdefault(later, []).append((fix, validate(fix, "synthetic")))
    final: list = []
    for i, pair in enumerate(ordered):
        final.append(pair)
        final.extend(inserts.get(i, ()))
    return final


def generate_raw(n: int, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``n`` raw documents (plain dicts, as an event file holds them), in append order."""
    return [raw for raw, _ in _build(n, seed)]


def generate(n: int, seed: int = DEFAULT_SEED) -> list:
    """``n`` validated documents (pydantic models, via ``events.files.validate``), in
    append order."""
    return [model for _, model in _build(n, seed)]


def batches(documents: list, size: int) -> Iterator[list]:
    """Split into append batches of ``size``, never putting a correction in the same batch
    as its target (a retraction or amendment needs its target already stored): such a
    correction is carried over to the start of the next batch."""
    batch: list = []
    ids: set[str] = set()
    carried: list = []
    for document in documents:
        target = getattr(document, "retracts", None) or getattr(document, "supersedes", None)
        if target is not None and target in ids:
            carried.append(document)
            continue
        batch.append(document)
        ids.add(document.id)
        if len(batch) >= size:
            yield batch
            batch, ids = carried, {d.id for d in carried}
            carried = []
    if batch:
        yield batch
    if carried:
        yield carried


def mid_date(documents: list) -> date:
    """The occurred start of the median happening in replay order: half the history before."""
    from events.model import Retraction

    starts = sorted(d.occurred.start for d in documents if not isinstance(d, Retraction))
    return starts[len(starts) // 2]


def describe(documents: list) -> dict[str, Any]:
    from collections import Counter

    from events.model import Retraction

    happenings = [d for d in documents if not isinstance(d, Retraction)]
    actors = {a.id for d in happenings for a in d.introduces}
    agreements = {d.agreement for d in happenings if d.kind == "agreement-signed"}
    steps = {d.step for d in happenings if d.kind == "step-planned"}
    return {
        "documents": len(documents),
        "kinds": dict(Counter(d.kind for d in documents)),
        "precision": dict(Counter(d.occurred.precision.value for d in happenings)),
        "amendments": sum(1 for d in happenings if d.supersedes),
        "actors": len(actors),
        "agreements": len(agreements),
        "steps": len(steps),
        "first": min(d.occurred.start for d in happenings).isoformat(),
        "last": max(d.occurred.end for d in happenings).isoformat(),
        "mean_json_bytes": round(
            sum(len(d.model_dump_json(exclude_none=True)) for d in documents) / len(documents)
        ),
    }


def check(n: int, seed: int = DEFAULT_SEED, batch: int = 1000, record: bool = True) -> dict:
    """Generate, validate, fold strictly, and (``record``) record batch by batch into a
    fresh SQLite store in a temporary folder, as ``uspk append`` would (each batch checked
    against the record index). Raises at the first problem."""
    import tempfile
    from datetime import UTC, datetime
    from pathlib import Path

    from domain.chronicle import Record, current
    from domain.world import fold
    from events.model import Retraction

    t0 = time.perf_counter()
    documents = generate(n, seed)
    timings = {"generate_and_validate_s": time.perf_counter() - t0}
    ids = [d.id for d in documents]
    assert len(documents) == n, (len(documents), n)
    assert len(set(ids)) == n, "duplicate ids"
    assert generate_raw(min(n, 300), seed) == generate_raw(min(n, 300), seed), "not deterministic"

    t0 = time.perf_counter()
    happenings = [d for d in documents if not isinstance(d, Retraction)]
    fold(happenings)  # every happening, amended ones too, in replay order
    now = datetime(2026, 1, 1, tzinfo=UTC)
    fold(current(Record(d, now, i + 1) for i, d in enumerate(documents)))  # the believed view
    timings["fold_s"] = time.perf_counter() - t0

    if record:  # the real acceptance path: each batch checked against what came before
        from service.bootstrap import Session
        from service.stores import resolve_store

        t0 = time.perf_counter()
        recorded = 0
        with (
            tempfile.TemporaryDirectory(prefix="uspk-check-") as folder,
            Session(resolve_store(str(Path(folder) / "check.sqlite"))) as session,
        ):
            for part in batches(documents, batch):
                appended = session.append(part)
                assert len(appended.added) == len(part) and not appended.unchanged
                recorded += len(appended.added)
        assert recorded == n
        timings["record_s"] = time.perf_counter() - t0
    return {**describe(documents), **{k: round(v, 2) for k, v in timings.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synthetic", description=__doc__)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--check", type=int, metavar="N", help="generate N and check them")
    parser.add_argument(
        "--no-record", action="store_true", help="with --check: skip the batch-by-batch record"
    )
    parser.add_argument("--dump", type=int, metavar="N", help="print N raw documents as JSON")
    args = parser.parse_args(argv)
    if args.dump:
        json.dump(generate_raw(args.dump, args.seed), sys.stdout, indent=1)
        print()
    if args.check:
        report = check(args.check, args.seed, record=not args.no_record)
        print(json.dumps(report, indent=2))
        print(f"ok: {args.check} synthetic events are valid and fold without error")
    if not (args.dump or args.check):
        parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
