"""Each person's calendar feed: one secret address per person per organisation that a
calendar app subscribes to (webcal:// or https://), listing their sessions and support
circles.

The address carries the organisation's slug and a random token; only the token's hash
is stored (as API keys are), so the address is shown once, when it is made. Revoking
deletes it; making a new one replaces the old, which then answers 404 like any guess.
The feed is looked up inside the organisation its address names, so a token of one
organisation finds nothing in another (the ORM's scoping and PostgreSQL's row-level
security both see to it)."""

import hashlib
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from directory.zones import zone_for
from matching.models import Pair
from organizations.emails import absolute_url
from organizations.models import Membership, Organization
from organizations.ratelimit import window_hit
from programs.selectors import participations_of
from sessions.calendar import FeedEntry, session_title
from sessions.models import CalendarFeed, MentoringSession, SupportCircle
from sessions.selectors import mentor_places

# Meetings stay in the feed this long after they took place: calendar apps remove what
# a feed stops listing, and last week's session vanishing from a calendar surprises.
KEPT_AFTER = timedelta(days=30)


def calendar_feed_token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, membership: Membership) -> tuple[CalendarFeed, str]:
    """A new feed address for the member, replacing (and so revoking) any they had.
    Returns the feed and its raw token, which is never stored and never shown again."""
    CalendarFeed.objects.filter(membership=membership).delete()
    raw = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        organization=membership.organization,
        membership=membership,
        token_hash=calendar_feed_token_hash(raw),
    )
    return feed, raw


@transaction.atomic
def calendar_feed_revoke(*, membership: Membership) -> None:
    CalendarFeed.objects.filter(membership=membership).delete()


def calendar_feed_get(*, membership: Membership) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(membership=membership).first()


def calendar_feed_find(*, organization: Organization, raw_token: str) -> CalendarFeed | None:
    """The feed of an active member of ``organization`` with this token (call inside the
    organisation), else None."""
    return (
        CalendarFeed.objects.filter(
            organization=organization,
            token_hash=calendar_feed_token_hash(raw_token),
            membership__is_active=True,
        )
        .select_related("membership__user", "membership__organization")
        .first()
    )


def calendar_feed_url(*, organization: Organization, raw_token: str, webcal: bool = False) -> str:
    path = reverse(
        "calendar_feed",
        kwargs={"organization_slug": organization.slug, "feed_token": raw_token},
    )
    url = absolute_url(path)
    return "webcal://" + url.split("://", 1)[1] if webcal else url


@dataclass(frozen=True)
class Feed:
    """What a feed shows, read once: its ETag is computed from it and, unless the
    calendar app has that version already, the calendar is built from it."""

    name: str
    zone: zoneinfo.ZoneInfo
    entries: list[FeedEntry]

    @property
    def etag(self) -> str:
        """Weak: two builds of one version differ only in their DTSTAMP."""
        parts = [self.name, self.zone.key]
        for entry in self.entries:
            if entry.session is not None:
                meeting, extra = entry.session, [entry.session.video_link, entry.session.status]
            else:
                meeting, extra = entry.circle, [str(entry.sequence)]
            parts += [
                entry.title,
                entry.url,
                meeting.uid,
                str(meeting.sequence),
                meeting.starts_at.isoformat(),
                str(meeting.duration_minutes),
                meeting.location,
                *extra,
            ]
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        return f'W/"{digest[:32]}"'


def feed_contents(*, feed: CalendarFeed, now=None) -> Feed:
    """The member's sessions in every pair of theirs and the circles of the programs they
    mentor in, from ``KEPT_AFTER`` ago on, in their own time zone. Other pairs' sessions,
    notes, reflections and agendas are never read."""
    membership = feed.membership
    organization = membership.organization
    since = (now or timezone.now()) - KEPT_AFTER
    mine = participations_of(organization=organization, user=membership.user)
    sessions = (
        MentoringSession.objects.filter(Q(pair__mentor__in=mine) | Q(pair__mentee__in=mine))
        .exclude(pair__status__in=[Pair.Status.PROPOSED, Pair.Status.DROPPED])
        .filter(starts_at__gte=since)
        .select_related("pair__program", "pair__mentor__employee", "pair__mentee__employee")
        .order_by("starts_at", "pk")
    )
    mentoring = {
        p.program_id: p for p in mentor_places(organization=organization, user=membership.user)
    }
    # Only the circles they said they are going to: an unanswered one is not in their
    # calendar, and one they left is not shown cancelled (it still takes place; they
    # have its cancellation by email, and a calendar drops what its feed stops listing).
    circles = (
        SupportCircle.objects.filter(
            program__in=list(mentoring),
            starts_at__gte=since,
            rsvps__participant__in=[p.pk for p in mentoring.values()],
            rsvps__going=True,
        )
        .annotate(answer_changes=F("rsvps__changes"))  # the one answer the filter joined
        .order_by("starts_at", "pk")
    )
    slug = organization.slug
    entries = [
        FeedEntry(
            title=session_title(session),
            url=absolute_url(
                reverse(
                    "mentoring:session",
                    kwargs={"org_slug": slug, "pair_id": session.pair_id, "session_id": session.pk},
                )
            ),
            session=session,
        )
        for session in sessions
    ]
    entries += [
        FeedEntry(
            title=circle.title,
            url=absolute_url(
                reverse(
                    "home:participation",
                    kwargs={"org_slug": slug, "participant_id": mentoring[circle.program_id].pk},
                )
            ),
            circle=circle,
            sequence=circle.sequence + circle.answer_changes,  # calendar.circle_sequence
        )
        for circle in circles
    ]
    return Feed(
        name=f"Upturn · {organization.name}",
        zone=zone_for(organization=organization, membership=membership),
        entries=entries,
    )


def feed_version_changed_at(*, feed: CalendarFeed, etag: str, now=None) -> datetime:
    """When the feed first showed the version ``etag`` names: its Last-Modified, for
    calendar apps that send If-Modified-Since rather than If-None-Match.

    What a feed lists has no modification time of its own (a circle cancelled, a session
    that ages out of it, an answer changed all remove an entry), so the feed remembers the
    version it last served and when that version was first seen: a new version is dated
    now. The date is kept whole seconds past the last one (HTTP dates have no fractions),
    so two versions within a second never share a Last-Modified."""
    now = (now or timezone.now()).replace(microsecond=0)
    if feed.content_etag == etag and feed.content_changed_at is not None:
        return feed.content_changed_at
    if feed.content_changed_at is not None:
        now = max(now, feed.content_changed_at + timedelta(seconds=1))
    CalendarFeed.objects.filter(pk=feed.pk).update(content_etag=etag, content_changed_at=now)
    feed.content_etag, feed.content_changed_at = etag, now
    return now


# Calendar apps poll a feed every few minutes at most (Apple's shortest setting is five,
# Google and Outlook take hours), and a person may subscribe from a few of them. Past
# this many requests in a window one token is refused until the window ends: a client
# polling every second costs a Redis increment, not a calendar.
FEED_REQUESTS_PER_WINDOW = 20
FEED_WINDOW_SECONDS = 10 * 60


def feed_retry_after(*, feed: CalendarFeed) -> int | None:
    """Count one request of this feed; the seconds to wait if it is one too many."""
    count, seconds_left = window_hit(f"calendar-feed:{feed.pk}", window_seconds=FEED_WINDOW_SECONDS)
    return seconds_left if count > FEED_REQUESTS_PER_WINDOW else None
