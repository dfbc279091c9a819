"""The index's tables: their SQL (shared by both databases), their names and columns,
and the version that says which release made them."""

from __future__ import annotations

from projections import kept, settled

META_NAME = "believed-events"
# Bump when the tables change: a read model of another version is rebuilt from the log.
# 14: what each entry is about, kept (the narrowed state); 13: what each happening
# changed, kept (diff); 12: actors settled once (settled.py);
# 11: standing rows by section
SCHEMA_VERSION = 14
REPLAY_ORDER = ("e.occ_start", "e.rank", "e.event_id")  # the replay index's order
END_OF_TIME = "9999-12-31T23:59:59.999999"

SCHEMA = [
    # What the read model knows beside its position (eventsourcing's tracking table).
    """CREATE TABLE IF NOT EXISTS uspk_view_meta (
        name TEXT PRIMARY KEY, history_digest TEXT,
        chronicle_version BIGINT NOT NULL DEFAULT 0, schema_version INTEGER,
        records BIGINT NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS uspk_view_events (
        position BIGINT PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        occ_start TEXT,
        occ_end TEXT,
        rank INTEGER,
        recorded_at TEXT NOT NULL,
        introduces INTEGER NOT NULL,
        document TEXT NOT NULL,
        recorder TEXT,
        message TEXT,
        chain TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS uspk_view_things (
        thing TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (thing, event_id))""",
    """CREATE TABLE IF NOT EXISTS uspk_view_mentions (
        actor_id TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (actor_id, event_id))""",
    """CREATE INDEX IF NOT EXISTS uspk_view_events_replay
        ON uspk_view_events (occ_start, rank, event_id)""",
    """CREATE INDEX IF NOT EXISTS uspk_view_events_end ON uspk_view_events (occ_end)""",
    """CREATE TABLE IF NOT EXISTS uspk_view_hidden (
        event_id TEXT NOT NULL,
        by_id TEXT NOT NULL,
        hidden_from TEXT NOT NULL,
        hidden_until TEXT,
        PRIMARY KEY (event_id, by_id))""",
    """CREATE INDEX IF NOT EXISTS uspk_view_hidden_by ON uspk_view_hidden (by_id)""",
    *kept.SCHEMA,
    *settled.SCHEMA,
]
LEGACY_TABLES = ("uspk_view_tracking",)  # schema 3 and before: its own tracking table
TABLES = (
    "uspk_view_meta",
    "uspk_view_events",
    "uspk_view_mentions",
    "uspk_view_things",
    "uspk_view_hidden",
    *kept.TABLES,
    *settled.TABLES,
)
META_COLUMNS = (
    "history_digest",
    "chronicle_version",
    "schema_version",
    "records",
)
COLUMNS = {
    "uspk_view_events": (
        "position",
        "event_id",
        "kind",
        "occ_start",
        "occ_end",
        "rank",
        "recorded_at",
        "introduces",
        "document",
        "recorder",
        "message",
        "chain",
    ),
    "uspk_view_mentions": ("actor_id", "event_id"),
    "uspk_view_things": ("thing", "event_id"),
    "uspk_view_hidden": ("event_id", "by_id", "hidden_from", "hidden_until"),
}
