"""The dates and times people may enter, in one place; and the fields that keep a value
stored out of range from breaking a page.

What a person enters is kept to a sane range by the form (an error on the field) and by
the service again (a ``ValidationError``), with the same message, naming what it refuses:

- a program's and a cohort's dates: from 2000 to ten years ahead (``program_range``);
- what a pair plans (a session booked, a goal's due date) and a support circle's time:
  within its program's dates or the next two years (``pair_range``); a session logged
  after the fact, not before the pair began (``sessions.services``).

A wall-clock time in a person's zone becomes a moment through ``local_moment``: a time
that does not exist there (the hour skipped when clocks go forward) is refused with a
message rather than moved; a time that happens twice (the hour repeated when clocks go
back) is taken at its first occurrence, still on summer time, as calendars do.

Rows stored before these bounds (or straight in the database) may hold any date the
database takes, year 1 or 9999 included, and Python's calendar stops at both: adding a
session's length or showing it in a zone east of UTC would overflow and answer 500 on
every page that shows it. ``ClampedDateField`` and ``ClampedDateTimeField`` read such a
value back as the nearest day a decade inside the calendar's edges, so that the
arithmetic pages do on it (a few days, a year's offset at most) always has room.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

EARLIEST_DAY = date(2000, 1, 1)
PROGRAM_YEARS_AHEAD = 10
PAIR_YEARS_AHEAD = 2

# What a stored value is read back as, at most: a decade inside Python's calendar.
STORED_EARLIEST_DAY = date(11, 1, 1)
STORED_LATEST_DAY = date(9989, 12, 31)
STORED_EARLIEST = datetime.combine(STORED_EARLIEST_DAY, time.min, tzinfo=UTC)
STORED_LATEST = datetime.combine(STORED_LATEST_DAY, time.max, tzinfo=UTC)


def years_later(day: date, years: int) -> date:
    """The same day ``years`` later (the 29th of February becomes the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _long(day: date) -> str:
    return date_format(day, "j F Y")


@dataclass(frozen=True)
class DayRange:
    """From ``earliest`` to ``latest``, both included."""

    earliest: date
    latest: date

    def __contains__(self, day: date) -> bool:
        return self.earliest <= day <= self.latest

    def message(self, what: str) -> str:
        return _("%(what)s must be from %(earliest)s to %(latest)s.") % {
            "what": what,
            "earliest": _long(self.earliest),
            "latest": _long(self.latest),
        }

    def check(self, day: date | datetime | None, *, what: str) -> None:
        """Refuse ``day`` (a datetime: its date where it is given) outside the range;
        ``what`` names it, capitalised: "The due date"."""
        if day is None:
            return
        if isinstance(day, datetime):
            day = day.date()
        if day not in self:
            raise ValidationError(self.message(what))

    def problem(self, day: date | datetime | None, *, what: str) -> str | None:
        """The refusal's message, or None: for services that gather every problem."""
        try:
            self.check(day, what=what)
        except ValidationError as error:
            return error.messages[0]
        return None


def program_range(today: date) -> DayRange:
    """Where a program's or a cohort's dates may fall."""
    return DayRange(EARLIEST_DAY, years_later(today, PROGRAM_YEARS_AHEAD))


def pair_range(*, start_date: date, end_date: date, today: date) -> DayRange:
    """What a program's people plan falls within its dates or the next two years, and
    within ``program_range`` whatever a program stored before held."""
    outer = program_range(today)
    return DayRange(
        max(outer.earliest, min(start_date, today)),
        min(outer.latest, max(end_date, years_later(today, PAIR_YEARS_AHEAD))),
    )


def local_moment(day: date, at: time, zone: tzinfo) -> datetime:
    """``day`` at ``at`` on the clocks of ``zone``. A time the clocks skip is refused; one
    they show twice is its first occurrence."""
    moment = datetime.combine(day, at, tzinfo=zone)
    back = moment.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise ValidationError(
            _(
                "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward "
                "then. Choose another time."
            )
            % {"time": at.strftime("%H:%M"), "date": _long(day), "zone": zone}
        )
    return moment


def _clamped(value, earliest, latest):
    if value is None:
        return None
    return min(max(value, earliest), latest)


class ClampedDateField(models.DateField):
    """A date read back within ``STORED_EARLIEST_DAY`` to ``STORED_LATEST_DAY``."""

    def from_db_value(self, value, expression, connection):
        return _clamped(value, STORED_EARLIEST_DAY, STORED_LATEST_DAY)


class ClampedDateTimeField(models.DateTimeField):
    """A moment read back within ``STORED_EARLIEST`` to ``STORED_LATEST``."""

    def from_db_value(self, value, expression, connection):
        if value is not None and timezone.is_naive(value):  # a database without zones
            return _clamped(
                value, STORED_EARLIEST.replace(tzinfo=None), STORED_LATEST.replace(tzinfo=None)
            )
        return _clamped(value, STORED_EARLIEST, STORED_LATEST)
