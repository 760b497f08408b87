"""Notifications: created once from the reminder rules' candidates, emailed one at a
time (unless muted, capped into the weekly digest, or in the person's night), and the
weekly digest itself.

Exactly one effect however often, and however many workers, run this:

- creating inserts with the notification's unique key and ignores conflicts, so a rule
  that fires on every tick creates its notification once;
- delivering takes each due notification in its own transaction, locked with
  ``SKIP LOCKED`` and re-read as still pending, so two workers never take the same one,
  and marks it sent in the transaction that sends it: a worker that dies before the
  commit leaves it pending for the next tick, never sent zero times;
- every email's Message-ID is derived from the notification's unique key
  (``organizations.emails.message_id``), so the one case left, a worker dying in the instant
  between the mail server accepting the email and the commit, hands the same message
  over twice, and receiving servers that drop a repeated Message-ID (Gmail, many others)
  deliver it once. One that does not de-duplicate shows it twice: at most twice, and
  only then;
- the digest is itself a notification, keyed by the person's ISO week.
"""

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from directory.models import Employee
from directory.zones import zone_for, zones_for_members
from notifications import kinds
from notifications.kinds import DIGEST, Candidate
from notifications.models import Notification, NotificationSettings
from organizations.emails import absolute_url, send_branded_email
from organizations.languages import speaking_to
from organizations.models import Membership, Organization
from organizations.tenancy import tenant_context

logger = logging.getLogger(__name__)

Status = Notification.Status

# Reminder fatigue is the most common complaint about mentoring tools: past this many
# reminder emails in seven days, the rest of a person's week goes into their digest.
WEEKLY_EMAIL_CAP = 3
NIGHT_STARTS, NIGHT_ENDS = time(21), time(7)  # in the person's own time zone
DIGEST_WEEKDAY = 0  # Monday morning, in the person's own time zone


# --- The tick ---------------------------------------------------------------------------


def run_reminders(*, organization: Organization, now: datetime) -> Counter:
    """One pass for one organisation: the rules, then creating, then delivering."""
    with translation.override(organization.locale), tenant_context(organization=organization):
        create(kinds.rule_candidates(organization, now), now)
    return deliver(organization, now)


# --- Creating ---------------------------------------------------------------------------


def create(candidates: Iterable[Candidate], now: datetime) -> None:
    """Insert a notification per candidate, once: an existing key is left alone. Each is
    to be emailed from ``now``, or from the end of the recipient's night. Runs inside the
    candidates' organisation."""
    candidates = list({(c.recipient.pk, c.key): c for c in candidates}.values())
    if not candidates:
        return
    zones = zones_for_members(
        organization=candidates[0].recipient.organization,
        memberships=[c.recipient for c in candidates],
    )
    app_only = set(kinds.app_only_kinds())
    rows = []
    for candidate in candidates:
        send_after = outside_night(now, zones[candidate.recipient.pk])
        if candidate.deadline is not None and send_after >= candidate.deadline:
            continue
        rows.append(
            Notification(
                organization_id=candidate.recipient.organization_id,
                recipient=candidate.recipient,
                kind=candidate.kind,
                key=candidate.key,
                title=candidate.title[:200],
                body=candidate.body,
                url=candidate.url,
                send_after=send_after,
                status=(
                    Notification.Status.MUTED
                    if candidate.kind in app_only
                    else Notification.Status.PENDING
                ),
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


def outside_night(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment``, or the next 07:00 in ``zone`` if ``moment`` falls in the night there."""
    local = moment.astimezone(zone)
    if not is_night(moment, zone):
        return moment
    day = local.date() + timedelta(days=1 if local.time() >= NIGHT_STARTS else 0)
    return datetime.combine(day, NIGHT_ENDS, zone).astimezone(UTC)


def is_night(moment: datetime, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone).time()
    return not NIGHT_ENDS <= local < NIGHT_STARTS


# --- Delivering -------------------------------------------------------------------------


def deliver(organization: Organization, now: datetime) -> Counter:
    """Email the organisation's due notifications, one per transaction. Returns what
    happened to them, by outcome (sent, digest, muted, deferred, withdrawn, failed)."""
    with tenant_context(organization=organization):
        due = list(
            Notification.objects.filter(
                organization=organization, status=Status.PENDING, send_after__lte=now
            )
            .order_by("send_after", "pk")
            .values_list("pk", flat=True)
        )
    outcomes: Counter = Counter()
    for notification_id in due:
        try:
            with (
                translation.override(organization.locale),
                tenant_context(organization=organization),
            ):
                outcome = _deliver_one(organization, notification_id, now)
        except Exception:
            # It stays pending (its transaction rolled back) and the next tick retries it.
            logger.exception("Notification %s could not be delivered", notification_id)
            outcome = "failed"
        if outcome:
            outcomes[outcome] += 1
    return outcomes


def _deliver_one(organization: Organization, notification_id: int, now: datetime) -> str | None:
    notification = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=notification_id, status=Status.PENDING)
        .first()
    )
    if notification is None:
        return None  # another worker has it, or had it: nothing to do
    # One person's deliveries one at a time, so that two workers cannot both squeeze
    # under the weekly cap.
    member = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=notification.recipient_id)
    )
    if not kinds.still_due(notification, now):
        notification.delete()
        return "withdrawn"
    preferences = NotificationSettings.objects.filter(membership=member).first()
    if not member.is_active or (preferences and notification.kind in preferences.muted_kinds):
        return _set_status(notification, Status.MUTED)
    if notification.kind not in kinds.always_emailed_kinds() and (
        (preferences and preferences.weekly_digest)
        or _emails_this_week(member, now) >= WEEKLY_EMAIL_CAP
    ):
        return _set_status(notification, Status.DIGEST)
    zone = zone_for(organization=organization, membership=member)
    if is_night(now, zone):  # late: the tick that was due ran into their night
        notification.send_after = outside_night(now, zone)
        notification.save(update_fields=["send_after"])
        return "deferred"
    notification.status, notification.sent_at = Status.SENT, now
    notification.save(update_fields=["status", "sent_at"])
    _email(
        "notifications/email/reminder",
        organization,
        member,
        {"notification": notification, "heading": notification.title},
        url=notification.url,
        key=notification.key,
    )
    return Status.SENT


def _set_status(notification: Notification, status: str) -> str:
    notification.status = status
    notification.save(update_fields=["status"])
    return status


def _emails_this_week(member: Membership, now: datetime) -> int:
    return (
        Notification.objects.filter(
            recipient=member, status=Status.SENT, sent_at__gt=now - timedelta(days=7)
        )
        .exclude(kind__in=[DIGEST, *kinds.always_emailed_kinds()])
        .count()
    )


def _email(
    template: str, organization, member: Membership, context: dict, url: str, key: str
) -> None:
    """``key`` is the notification's: its email's Message-ID is the same on every send."""
    slug = organization.slug
    send_branded_email(
        template=template,
        organization=organization,
        key=f"notification:{organization.pk}:{member.pk}:{key}",
        context={
            **context,
            "greeting_name": _name(organization, member),
            "url": absolute_url(url or reverse("notifications:list", kwargs={"org_slug": slug})),
            "settings_url": absolute_url(
                reverse("notifications:settings", kwargs={"org_slug": slug})
            ),
        },
        to=[member.user.email],
    )


def _name(organization: Organization, member: Membership) -> str:
    if member.user.name:
        return member.user.name
    employee = Employee.objects.filter(organization=organization, member=member).first()
    return employee.name if employee else member.user.email


# --- The weekly digest ------------------------------------------------------------------


def weekly_digest(organization: Organization, now: datetime) -> int:
    """On Monday morning in their own time zone, each person with reminders folded into
    the digest gets one email listing them; once per person per ISO week. Meant to run
    hourly: each person's Monday morning comes at a different hour. Returns how many
    digests went out."""
    with tenant_context(organization=organization):
        waiting = Membership.objects.filter(
            pk__in=_undigested(organization, now).values("recipient_id")
        ).select_related("user")
        zones = zones_for_members(organization=organization, memberships=waiting)
    sent = 0
    for member_id, zone in zones.items():
        local = now.astimezone(zone)
        if local.weekday() != DIGEST_WEEKDAY or is_night(now, zone):
            continue
        year, week, _day = local.isocalendar()
        key = f"{DIGEST}:week:{year}-W{week:02d}"
        try:
            with (
                translation.override(organization.locale),
                tenant_context(organization=organization),
            ):
                sent += _send_digest(organization, member_id, key, now)
        except Exception:
            logger.exception("The digest for membership %s could not be sent", member_id)
    return sent


def _undigested(organization: Organization, now: datetime):
    return Notification.objects.filter(
        organization=organization,
        status=Status.DIGEST,
        digested_at__isnull=True,
        send_after__lte=now,
    )


def _send_digest(organization: Organization, member_id: int, key: str, now: datetime) -> bool:
    member = (
        Membership.objects.select_for_update(of=("self",)).select_related("user").get(pk=member_id)
    )
    if not member.is_active or Notification.objects.filter(recipient=member, key=key).exists():
        return False  # sent already this week: the rest waits for next week's
    items = list(_undigested(organization, now).filter(recipient=member).order_by("send_after"))
    # Folded days ago: what no longer holds (a session since cancelled, moved or past, a
    # pair that met again) is withdrawn, as delivering withdraws it.
    withdrawn = [item.pk for item in items if not kinds.still_due(item, now)]
    Notification.objects.filter(pk__in=withdrawn).delete()
    items = [item for item in items if item.pk not in withdrawn]
    if not items:
        return False
    # The digest's title (its email's subject) in the member's own language, as its body.
    with speaking_to(member, organization):
        title = ngettext(
            "Your week in Upturn: %(count)s reminder",
            "Your week in Upturn: %(count)s reminders",
            len(items),
        ) % {"count": len(items)}
    Notification.objects.create(
        organization=organization,
        recipient=member,
        kind=DIGEST,
        key=key,
        title=title,
        body="\n".join(item.title for item in items),
        status=Status.SENT,
        send_after=now,
        sent_at=now,
    )
    Notification.objects.filter(pk__in=[item.pk for item in items]).update(digested_at=now)
    _email(
        "notifications/email/digest",
        organization,
        member,
        {
            "items": [
                {"title": item.title, "body": item.body, "url": absolute_url(item.url)}
                for item in items
            ],
            "heading": title,
        },
        url="",
        key=key,
    )
    return True
