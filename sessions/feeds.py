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
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from directory.zones import zone_for
from matching.models import Pair
from organizations.emails import absolute_url
from organizations.models import Membership, Organization
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
                meeting, extra = entry.circle, []
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
    circles = SupportCircle.objects.filter(
        program__in=list(mentoring), starts_at__gte=since
    ).order_by("starts_at", "pk")
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
        )
        for circle in circles
    ]
    return Feed(
        name=f"Upturn · {organization.name}",
        zone=zone_for(organization=organization, membership=membership),
        entries=entries,
    )
