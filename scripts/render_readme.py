#!/usr/bin/env python3
"""Regenerate README.md from docs/README.template.md by running every example for real.

Each {{name}} in the template is replaced by the output of a real run of the installed
`uspk` on scratch stores (jq needed). Run it after a change to any command's output:
    python scripts/render_readme.py
"""

import datetime
import json
import os
import pathlib
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

repo = pathlib.Path(__file__).resolve().parent.parent
demo = pathlib.Path(tempfile.mkdtemp(prefix="uspk-readme-"))
shutil.copytree(repo / "examples", demo / "examples")
env = {**os.environ, "USPK_DB": str(demo / "main.sqlite"), "COLUMNS": "80"}


def sh(cmd, db=None):
    e = dict(env)
    if db:
        e["USPK_DB"] = db
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True, env=e, cwd=demo)
    return (r.stdout + r.stderr).rstrip("\n")


def sources_table() -> str:
    """Every source the shipped history cites (its alternatives' too), once, by date: read
    from the files."""
    import yaml

    seen = {}
    for path in sorted((repo / "events" / "history").glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        alternatives = document.get("alternatives") or []
        for source in [
            *document["sources"],
            *(s for a in alternatives for s in a.get("sources", [])),
        ]:
            key = (str(source["published"]), source["publisher"], source.get("url") or "")
            seen.setdefault(key, source.get("title") or "(headline not known)")
    rows = ["| published | publisher | headline | address |", "| --- | --- | --- | --- |"]
    for (published, publisher, url), title in sorted(seen.items()):
        cells = [published, publisher, title, f"<{url}>" if url else ""]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def relations_table() -> str:
    """Each relation's two readings and its bearing on a claim (events/relations.py)."""
    import sys

    sys.path.insert(0, str(repo))
    from events.relations import RELATIONS

    return "\n".join(
        f"| `{r.name}` | {r.forward} X | {r.backward} Y | {r.bearing or '-'} |"
        for r in RELATIONS.values()
    )


def plover_table() -> str:
    """Each kind's PLOVER code, read from the models (events/model.py)."""
    import sys

    sys.path.insert(0, str(repo))
    from events.kinds import happening_models

    rows = ["| kind | PLOVER event (mode) | context | actors | recipients | why |"]
    rows.append("| --- | --- | --- | --- | --- | --- |")
    for model in happening_models():
        code = model.plover
        events = [f"{code.code.event}" + (f" ({code.code.mode})" if code.code.mode else "")]
        events += [
            f"{c.event}" + (f" ({c.mode})" if c.mode else "") + f" when {code.by} is {value}"
            for value, c in code.cases.items()
        ]
        events += [
            f"{c.event}" + (f" ({c.mode})" if c.mode else "") + f" when it {relation} another"
            for relation, c in code.relations.items()
        ]
        cells = [
            f"`{model.kind_name()}`",
            "; ".join(events),
            ", ".join(code.code.context),
            ", ".join(f"`{f}`" for f in code.actors) or "every actor named",
            ", ".join(f"`{f}`" for f in code.recipients),
            code.why,
        ]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


v = {}
# Each scratch store's first use announces the new store on stderr, with its temporary
# path: make them before the examples, so that the README shows what a reader sees later.
story = str(demo / "story.sqlite")
copy_from = str(demo / "reset.sqlite")
for first_use in (None, story, copy_from):
    sh("uspk timeline > /dev/null", first_use)
v["timeline_head"] = sh("uspk timeline | head -15")
v["timeline_late"] = sh("uspk timeline --since 2026 | grep '^[^ ]'")
v["timeline_csv"] = sh('uspk timeline --actor "Natalie Baker" --format csv | cut -d, -f1-6')
v["state"] = sh("uspk state --at 2025-09-08")
v["state_year_end"] = sh("uspk state --at 2025-12-31 | sed -n '/^Measures/,/^Shipments/p'")
v["state_march_2026"] = sh("uspk state --at 2026-03-01 | sed -n '/^Measures/,/^Financing/p'")
v["state_after_record"] = sh("uspk state --at 2026-12-05 | head -3")
claims = str(demo / "claims.sqlite")
sh("uspk timeline > /dev/null", claims)
sys.path.insert(0, str(repo))
from tests.e2e.test_claims_disputed import DENIAL, PITCH  # noqa: E402 - test fixtures

(demo / "claims.json").write_text(json.dumps([PITCH, DENIAL]))
v["state_claims"] = sh(
    "uspk append claims.json && uspk state --at 2025-10-10 | sed -n '/^What was said/,/^$/p'",
    claims,
)
v["state_meg"] = sh("uspk state --at 2025-09-08 --agreement meg-nlcp-mou")
v["agreements_7"] = sh("uspk state --at 2025-09-07 --format json | jq '.agreements | length'")
v["undetermined"] = sh(
    "uspk state --at 2025-06-10 --format json | jq -c '.undetermined[] | {event_id, reason}'"
)
rp = sh("uspk replay --until 2025-09-08").splitlines()
# show the first two steps and the last, with an ellipsis
cut1 = next(i for i, line in enumerate(rp) if line.startswith("  3. "))
last = max(i for i, line in enumerate(rp) if re.match(r"^ *\d+\. ", line))
v["replay"] = "\n".join(rp[:cut1] + ["  ..."] + rp[last:])
v["diff"] = sh(
    "uspk diff 2025-09-07 2025-09-08 --format json | jq -r '.[] | [.event_id, .category, .change] | @tsv' | head -12"
)
v["jq_parties"] = sh(
    """uspk state --at 2025-09-08 --format json | jq -r '.agreements[] | "\\(.id): \\([.parties[].name] | join(" & "))"'"""
)
v["jq_amount"] = sh(
    """uspk state --at 2025-09-08 --format json | jq -r '.agreements[].commitments[] | select(.amount) | "\\(.display) (\\(.phase))"'"""
)
v["jq_steps"] = sh(
    """uspk state --at 2025-09-08 --format json | jq -r '.next_steps[] | "\\(.status)\\t\\(.id)"'"""
)
v["story_day1"] = sh("uspk timeline --until 2025-06-30 | grep '^[^ ]'", story)
time.sleep(1.2)
t1 = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
time.sleep(1.2)
v["story_amend"] = sh(
    "uspk amend trump-munir-meeting-2025-06 examples/2025-06-18-trump-munir-lunch.yaml", story
)
v["story_backfill"] = sh("uspk append examples/2025-06-munir-us-visit.yaml", story)
v["story_day2"] = sh("uspk timeline --until 2025-06-30 | grep '^[^ ]'", story)
time.sleep(1.2)
t2 = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
time.sleep(1.2)
v["story_retract"] = sh(
    """uspk retract ussm-fwo-sustainability-priority-2025-09-08 --reason "The article reports a principle the cooperation 'will prioritise', not a commitment." --publisher "Pakistani press (unverified; full text also carried by pricetoday.online)" --title "US starts tapping Pak mineral wealth" --published "2025-09-09?" --url https://pricetoday.online/us-starts-tapping-pak-mineral-wealth""",
    story,
)
v["t1"], v["t2"] = t1, t2
v["story_known_t1"] = sh(f"uspk timeline --until 2025-06-30 --known-at {t1} | grep '^[^ ]'", story)
v["story_now_commitments"] = sh(
    "uspk state --at 2025-09-08 --format json | jq -r '.agreements[].commitments[].event_id'", story
)
v["story_t2_commitments"] = sh(
    f"uspk state --at 2025-09-08 --known-at {t2} --format json | jq -r '.agreements[].commitments[].event_id'",
    story,
)
v["story_history"] = sh("uspk history trump-munir-meeting-2025-06", story)
name = "2025-09-08-meg-nlcp-mou-signed.yaml"
v["example_name"] = name
v["example"] = (repo / "events/history" / name).read_text().rstrip("\n")
(demo / "bad.yaml").write_text(
    "id: pm-meets-ceo\nkind: meeting\noccurred: '2025-09-09'\ntitle: T\nsummary: S\nparticipants: [shehbaz-sharif, ishak-dar]\nsources: [{publisher: P, title: T, published: '2025-09-09'}]\n"
)
v["bad_example"] = sh('uspk append bad.yaml; echo "exit status $?"')
v["copy_once"] = sh("uspk copy reset.sqlite copy.sqlite")
v["copy_again"] = sh("uspk copy reset.sqlite copy.sqlite")
# Who recorded what, and proving the record: a curator's append, its proof, a hand edit.
trust = str(demo / "trust.sqlite")
v["trust_append"] = sh(
    'uspk append examples/2025-06-munir-us-visit.yaml --as "Ayesha Khan" '
    '-m "Backfill: the June visit, as its source reports it"',
    trust,
)
v["trust_history"] = sh("uspk history munir-us-visit-2025-06 | head -2", trust)
v["trust_export"] = sh(
    "uspk export --format json -o published.json && jq .chain.count,.chain.head published.json",
    trust,
)
v["trust_verify"] = sh("uspk verify", trust)
v["trust_against"] = sh("uspk verify --against published.json", trust)
with sqlite3.connect(trust) as db:  # one letter of the event's stored state, by hand
    for rowid, state in db.execute("SELECT rowid, state FROM stored_events").fetchall():
        if b"munir-us-visit-2025-06" in state:
            db.execute(
                "UPDATE stored_events SET state = ? WHERE rowid = ?",
                (state.replace(b"Munir", b"Munim", 1), rowid),
            )
v["trust_tampered"] = sh('uspk verify; echo "exit status $?"', trust)
# A reader's mirror, kept by `uspk copy` (which writes the log, not the index), read with
# mode=ro: its index is behind until someone who may write it runs a command on it.
sh("uspk copy reset.sqlite mirror.sqlite && uspk --db mirror.sqlite timeline > /dev/null")
sh("uspk append examples/2025-06-munir-us-visit.yaml", copy_from)
sh("uspk copy reset.sqlite mirror.sqlite")
v["reader_behind"] = sh(
    "uspk --db 'file:mirror.sqlite?mode=ro' timeline --until 2025-06 2>&1 | head -4"
)
v["reader_refused"] = sh(
    "uspk --db 'file:mirror.sqlite?mode=ro' append examples/2025-06-munir-us-visit.yaml"
)
v["default_path"] = "~/.local/share/uspk/uspk.sqlite"
COUNTS = "select 'events', count(*) from events union all select 'sources', count(*) from sources union all select 'standing', count(*) from standing"
v["sources_table"] = sources_table()
v["sqlite_counts"] = COUNTS
v["sqlite_tables"] = sh(
    f"uspk export --format sqlite -o reset.db && sqlite3 -separator ' ' reset.db \"{COUNTS}\""
)
v["plover_table"] = plover_table()
v["relations_table"] = relations_table()
v["plover_head"] = sh(
    "uspk export --format plover | head -2 | jq -c '{id, date, enddate, date_precision, event, actor: [.actor[].entity_text]}'"
)
text = (repo / "docs" / "README.template.md").read_text()
for k, val in v.items():
    text = text.replace("{{" + k + "}}", val)
missing = re.findall(r"\{\{(\w+)\}\}", text)
assert not missing, missing
(repo / "README.md").write_text(text)
print("ok")
