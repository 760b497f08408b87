"""Is a pair keeping the program's rhythm? Pure functions over dates, shared by the
program manager's pair list, the reminders and the reports."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils.translation import gettext_lazy as _

ON_TRACK, BEHIND, QUIET = "on_track", "behind", "quiet"
LABELS = {ON_TRACK: _("On track"), BEHIND: _("Behind"), QUIET: _("Gone quiet")}
DAYS_A_MONTH = 30.44


def days_between_sessions(sessions_per_month: int) -> float:
    return DAYS_A_MONTH / max(sessions_per_month, 1)


def pair_began(*, published_at: datetime, cohort_start: date, zone: tzinfo) -> datetime:
    """When a pair's rhythm is counted from: its publishing, or the first day of its
    cohort (midnight in ``zone``, the organisation's) if it was published before that.
    The one rule for the program manager's list, the reminders and the reports."""
    return max(published_at, datetime.combine(cohort_start, time(), zone))


@dataclass(frozen=True)
class Cadence:
    status: str
    held: int
    expected: int
    planned: int
    last_session: datetime | None
    quiet_since: datetime  # the last session held or message, else the day the pair began

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def is_behind(self) -> bool:
        return self.status == BEHIND

    @property
    def is_quiet(self) -> bool:
        return self.status == QUIET


def cadence(
    *,
    now: datetime,
    paired_at: datetime,
    held_starts: list[datetime],
    next_scheduled: datetime | None,
    sessions_per_month: int,
    planned: int,
    last_contact: datetime | None = None,
) -> Cadence:
    """A pair is *quiet* when nothing was held and nothing written in its conversation
    (``last_contact``, its last message) for twice the program's interval and nothing is
    booked; *behind* when it has held more than one session fewer than the
    time since pairing calls for; otherwise *on track*."""
    return cadence_of_count(
        now=now,
        paired_at=paired_at,
        held=len(held_starts),
        last=max(held_starts, default=None),
        next_scheduled=next_scheduled,
        sessions_per_month=sessions_per_month,
        planned=planned,
        last_contact=last_contact,
    )


def cadence_of_count(
    *,
    now: datetime,
    paired_at: datetime,
    held: int,
    last: datetime | None,
    next_scheduled: datetime | None,
    sessions_per_month: int,
    planned: int,
    last_contact: datetime | None = None,
) -> Cadence:
    """``cadence`` from how many sessions were held and the last one's start alone,
    which is all it reads: the reports count them in SQL for every pair at once."""
    interval = days_between_sessions(sessions_per_month)
    since = max((d for d in (last, last_contact) if d is not None), default=paired_at)
    elapsed_days = max((now - paired_at).total_seconds() / 86400, 0)
    expected = min(int(elapsed_days / interval), planned)
    if now - since > timedelta(days=2 * interval) and next_scheduled is None:
        status = QUIET
    elif held < expected - 1:
        status = BEHIND
    else:
        status = ON_TRACK
    return Cadence(status, held, expected, planned, last, since)
