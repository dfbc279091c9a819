"""eventsourcing's PostgreSQL infrastructure, connecting with every parameter of the
store's URL: eventsourcing 9.5.6 passes only host, port, dbname, user and password to
its connection pool, which would drop sslmode, application_name, options and the rest."""

from __future__ import annotations

from eventsourcing import postgres


class PostgresFactory(postgres.PostgresFactory):
    def __init__(self, env) -> None:  # noqa: ANN001 - eventsourcing's Environment
        super().__init__(env)
        # The pool merges this connection string with its own keyword arguments when it
        # connects; it has not connected yet (eventsourcing opens it on first use).
        self.datastore.pool.conninfo = self.env.get("POSTGRES_CONNINFO") or ""
