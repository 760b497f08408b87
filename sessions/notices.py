"""The notifications the pair's workspace sends, and how to tell that one waiting to be
emailed still holds: registered with the notifications app when this app loads, with the
reminder rules that create them (sessions.reminders)."""

from datetime import UTC, date, datetime, time, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from matching.models import Pair
from notifications.kinds import register_kind, register_rules
from sessions.models import MentoringSession


class SessionNotice(models.TextChoices):
    SESSION_UPCOMING = "session_upcoming", _("A session tomorrow")
    SESSION_UNLOGGED = "session_unlogged", _("A session nobody logged")
    PAIR_QUIET = "pair_quiet", _("Your pair has gone quiet")
    PAIR_QUIET_ALERT = "pair_quiet_alert", _("A pair has gone quiet (program managers)")
    TRAINING_DUE = "training_due", _("Training to finish")
    MILESTONE = "milestone", _("Cohort milestones")


def _key_parts(notification) -> tuple[str, str, str]:
    """(object, object id, occasion) of a key "kind:object:id:occasion"."""
    _kind, thing, object_id, occasion = (notification.key.split(":") + ["", "", ""])[:4]
    return thing, object_id, occasion


def session_still_due(notification, now: datetime) -> bool:
    """A reminder of a session since moved, cancelled or logged is withdrawn rather than
    sent (it was created at night, say, and things changed by morning); so is a
    reminder of tomorrow's session once it has begun."""
    _thing, session_id, sequence = _key_parts(notification)
    session = MentoringSession.objects.filter(pk=session_id).first()
    if session is None or str(session.sequence) != sequence:
        return False
    if session.status != MentoringSession.Status.SCHEDULED:
        return False
    return notification.kind != SessionNotice.SESSION_UPCOMING or session.starts_at > now


def pair_still_quiet(notification, now: datetime) -> bool:
    """A quiet nudge for a pair that has since ended, met or booked is withdrawn."""
    _thing, pair_id, spell_began = _key_parts(notification)
    if not Pair.objects.filter(pk=pair_id, status=Pair.Status.ACTIVE).exists():
        return False
    since = datetime.combine(date.fromisoformat(spell_began), time(), UTC)
    return not MentoringSession.objects.filter(
        pair=pair_id,
        status__in=[MentoringSession.Status.HELD, MentoringSession.Status.SCHEDULED],
        starts_at__gte=since + timedelta(days=1),
    ).exists()


def register() -> None:
    from sessions import reminders

    still_due = {
        SessionNotice.SESSION_UPCOMING: session_still_due,
        SessionNotice.SESSION_UNLOGGED: session_still_due,
        SessionNotice.PAIR_QUIET: pair_still_quiet,
        SessionNotice.PAIR_QUIET_ALERT: pair_still_quiet,
    }
    for kind in SessionNotice:
        register_kind(kind.value, kind.label, still_due=still_due.get(kind))
    register_rules(*reminders.RULES)
