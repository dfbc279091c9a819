"""The one place that turns an error a user can cause or fix into the one line they see.

Every command runs inside ``OneLineErrors``: an error listed in ``one_line`` becomes a
``click.ClickException`` (exit 1, no traceback); anything else is a bug and propagates.
Imports happen only when an error is being reported, so ``--help`` stays light.
"""

from __future__ import annotations

import click


def one_line(error: BaseException) -> click.ClickException | None:
    """The user's one line for ``error``, or None when it is not a user's to fix."""
    from events.files import InputError
    from projections.damage import ReadModelError
    from projections.locks import StoreLocked, is_lock_timeout, lock_timeout
    from projections.timeline import UnknownActor
    from service.captures import CaptureError
    from service.reading import BrokenRecord, NothingToExport, UnknownAgreement, UnknownEvent
    from service.recorders import BadSignature
    from service.recording import Refused
    from service.stores import StoreError
    from service.transfer import TransferError

    if isinstance(error, UnknownActor):
        return click.BadParameter(str(error), param_hint="--actor")
    if isinstance(error, UnknownAgreement):
        return click.BadParameter(str(error), param_hint="--agreement")
    said_in_full = (
        InputError,
        Refused,
        UnknownEvent,
        NothingToExport,
        BrokenRecord,
        StoreError,
        TransferError,
        StoreLocked,
        ReadModelError,
        BadSignature,
        CaptureError,
    )
    if isinstance(error, said_in_full):
        return click.ClickException(str(error))
    if isinstance(error, _database_errors()):
        if is_lock_timeout(error):  # SQLite's busy file, eventsourcing's table lock
            return click.ClickException(str(StoreLocked(lock_timeout())))
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return click.ClickException(f"the event store could not be used: {reason}")
    return None


def cannot(verb: str, path: str, error: OSError) -> click.ClickException:
    """``PATH: cannot read|write: reason`` for a file the user named."""
    return click.ClickException(f"{path}: cannot {verb}: {error.strerror}")


def _database_errors() -> tuple[type[BaseException], ...]:
    """What the event store's libraries raise when a database cannot be used."""
    from eventsourcing.persistence import PersistenceError

    from projections.damage import database_errors

    return (PersistenceError, *database_errors())


class OneLineErrors(click.Group):
    """A command group whose commands' user errors end in one line, not a traceback."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's signature
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own ending (--help exits this way): nothing to import or say
        except Exception as error:
            line = one_line(error)
            if line is None:
                raise
            raise line from None
