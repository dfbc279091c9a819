"""Dates with the precision the source gives them: a day, a month or a year.

The accepted text is the single-date subset of the Library of Congress's Extended
Date/Time Format (EDTF, level 0 and the level-1 qualifiers): ``2025-09-08``,
``2025-06``, ``2025``, optionally followed by ``~`` (approximate), ``?`` (uncertain)
or ``%`` (both). A date is an interval: ``2025-06`` runs from 1 to 30 June.

Hand-written rather than taken from the ``edtf`` package: measured on this machine,
``edtf`` parses one date in about 4 ms (pyparsing) and costs 71 ms to import, which
would dominate replaying a long history; this subset is a regular expression.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache


class Precision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


# ASCII digits only: \d would also take "２０２５" (full-width), which int() reads but
# no EDTF reader does.
_EDTF = re.compile(r"(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?(?P<q>[~?%])?")
_QUALIFIER_WORDS = {"~": "approximately", "?": "possibly", "%": "possibly about"}
_MONTHS = calendar.month_name


class DateError(ValueError):
    """A text that is not a date of the accepted form, or not a real day."""


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """A date known to a day, a month or a year; ``start``..``end`` is its interval."""

    start: date
    end: date
    precision: Precision
    qualifier: str = ""  # "", "~", "?" or "%" as in EDTF

    @property
    def edtf(self) -> str:
        # Not strftime's %Y: glibc writes year 999 as "999", which is not EDTF.
        return _edtf_text(self.start, self.precision) + self.qualifier

    @property
    def approximate(self) -> bool:
        return self.qualifier in ("~", "%")

    @property
    def uncertain(self) -> bool:
        return self.qualifier in ("?", "%")

    def human(self) -> str:
        """'8 Sep 2025', 'June 2025', '2025', with 'approximately'/'possibly' as marked."""
        s = self.start
        text = {
            Precision.YEAR: f"{s.year}",
            Precision.MONTH: f"{_MONTHS[s.month]} {s.year}",
            Precision.DAY: f"{s.day} {s:%b} {s.year}",
        }[self.precision]
        word = _QUALIFIER_WORDS.get(self.qualifier)
        return f"{word} {text}" if word else text

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.edtf


def _edtf_text(start: date, precision: Precision) -> str:
    """``start`` written to ``precision``, the year always four digits (0001-9999)."""
    if precision is Precision.YEAR:
        return f"{start.year:04d}"
    if precision is Precision.MONTH:
        return f"{start.year:04d}-{start.month:02d}"
    return start.isoformat()


@lru_cache(maxsize=65536)
def parse_date(text: str) -> FuzzyDate:
    """Parse an EDTF single date; raise DateError saying what was expected."""
    match = _EDTF.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise DateError(
            f"{text!r} is not a date: expected YYYY-MM-DD, YYYY-MM or YYYY "
            "(EDTF), optionally followed by ~ (approximate) or ? (uncertain)"
        )
    year, month, day = match["y"], match["m"], match["d"]
    qualifier = match["q"] or ""
    try:
        if day is not None:
            start = end = date(int(year), int(month), int(day))
            precision = Precision.DAY
        elif month is not None:
            y, m = int(year), int(month)
            start = date(y, m, 1)
            end = date(y, m, calendar.monthrange(y, m)[1])
            precision = Precision.MONTH
        else:
            start, end = date(int(year), 1, 1), date(int(year), 12, 31)
            precision = Precision.YEAR
    except ValueError as error:  # month 13, 31 June, year 0 ...
        raise DateError(f"{text!r} is not a real date ({error})") from None
    return FuzzyDate(start, end, precision, qualifier)
