"""The parameter types and shared options of uspk's commands (light: click and the
date parser only, so that ``uspk --help`` stays fast)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import click

from events.dates import DateError, parse_date


class DateParam(click.ParamType):
    """A day, month or year (EDTF), as the day at one end of it: an opening bound
    (``--since``) means a period's first day, a closing bound or a state's date its last.
    """

    name = "DATE"

    def __init__(self, opening: bool = False) -> None:
        self.opening = opening

    def convert(self, value, param, ctx):  # noqa: ANN001 - click's signature
        if isinstance(value, date):
            return value
        try:
            period = parse_date(value)
        except DateError as error:
            self.fail(str(error), param, ctx)
        return period.start if self.opening else period.end


class MomentParam(click.ParamType):
    """A date (meaning the end of that day, or of the month or year, UTC) or an ISO
    timestamp; the moment is returned in UTC."""

    name = "WHEN"

    def convert(self, value, param, ctx):  # noqa: ANN001
        if isinstance(value, datetime):
            return value
        try:
            day = parse_date(value).end
            return datetime.combine(day, time.max, tzinfo=UTC)
        except DateError:
            pass
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is neither a date (YYYY-MM-DD) nor an ISO timestamp", param, ctx)
        return in_utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def in_utc(moment: datetime) -> datetime:
    """``moment`` in UTC. A moment that UTC cannot hold (after 9999-12-31T23:59:59.999999
    or before 0001-01-01, as 9999-12-31T23:59-05:00 is) becomes UTC's last or first
    instant: no event is recorded beyond either, so every question gets the same answer.
    """
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        limit = datetime.max if moment.year == datetime.max.year else datetime.min
        return limit.replace(tzinfo=UTC)


KNOWN_AT_HELP = (
    "As believed at this timestamp, or at the end of this day (a month or year: of its "
    "last day), UTC."
)
DATE = DateParam()
SINCE = DateParam(opening=True)
MOMENT = MomentParam()


def format_option(help: str = "Output format.", choices: tuple[str, ...] = ("text", "json")):
    """The --format option of a command that prints text by default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default="text",
        show_default=True,
        help=help,
    )
