"""The CSV export with ACLED-style columns (``uspk export --format csv --acled``): one row
per believed event, with the column names of the ACLED data set, for sheets and tools
built around them.

Time precision follows the ACLED codebook: 1 when the source gives the actual date, 2 when
it places the event within a week or a similar period (our approximate or uncertain day),
3 when it gives only the month, whose mid-point is then ACLED's ``event_date`` (not a day
any source gives: ``edtf`` has the date as the sources give it). ACLED codes no event known
only to the year: such a row has no ``event_date`` or ``time_precision``, only ``year``.
Actors follow the event's PLOVER code (``cli.exporters.plover``): ``actor1`` and
``assoc_actor_1`` its actors, ``actor2`` and ``assoc_actor_2`` its recipients.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

from cli.exporters import Bundle
from cli.exporters import visible as _visible
from cli.exporters.plover import actor_index, coded, country_of

ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "country",
    "location",
    "source",
    "notes",
    "timestamp",
    "edtf",
    "kind",
    "plover_event",
]


def acled_csv(bundle: Bundle) -> str:
    from cli.render import csv_cell

    actors = actor_index(bundle)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ACLED_COLUMNS)
    for entry in bundle.entries:
        row = _row(entry, actors)
        writer.writerow([csv_cell(_visible(row[column])) for column in ACLED_COLUMNS])
    return out.getvalue()


def time_precision(occurred: dict[str, Any]) -> int | None:
    """ACLED's time precision of an occurred date: 1 day, 2 days around it, 3 month."""
    if occurred["precision"] == "day":
        return 2 if occurred["approximate"] or occurred["uncertain"] else 1
    return 3 if occurred["precision"] == "month" else None


def _row(entry: dict[str, Any], actors: dict[str, dict]) -> dict[str, Any]:
    occurred = entry["occurred"]
    precision = time_precision(occurred)
    event_date = occurred["start"]
    if precision == 3:  # ACLED's convention for a month: its middle
        event_date = event_date[:8] + "15"
    code, doers, receivers = coded(entry)
    names = [(actors.get(a) or {}).get("name") or a for a in doers]
    others = [(actors.get(a) or {}).get("name") or a for a in receivers]
    details = entry["details"]
    recorded = datetime.fromisoformat(entry["recorded"]).astimezone(UTC)
    return {
        "event_id_cnty": entry["id"],
        "event_date": event_date if precision else "",
        "year": date.fromisoformat(occurred["start"]).year,
        "time_precision": precision or "",
        "disorder_type": "Strategic developments",
        "event_type": "Strategic developments",
        "sub_event_type": "Agreement" if entry["kind"] == "agreement-signed" else "Other",
        "actor1": names[0] if names else "",
        "assoc_actor_1": "; ".join(names[1:]),
        "actor2": others[0] if others else "",
        "assoc_actor_2": "; ".join(others[1:]),
        "country": _country(entry, actors),
        "location": details.get("place") or details.get("venue") or "",
        "source": "; ".join(dict.fromkeys(s["publisher"] for s in entry["sources"])),
        "notes": entry["summary"],
        "timestamp": int(recorded.timestamp()),
        "edtf": occurred["edtf"],
        "kind": entry["kind"],
        "plover_event": code.event,
    }


def _country(entry: dict[str, Any], actors: dict[str, dict]) -> str:
    """Where it took place, where the record says so: a visit's destination's country."""
    if entry["kind"] == "visit":
        return country_of(actors.get(entry["details"].get("destination")) or {}) or ""
    return ""
