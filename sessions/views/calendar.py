"""Calendars: a meeting's .ics download, a mentor's answer to a support circle (which
puts it in their calendar or takes it out), the person's feed address (made, shown
once, revoked) and the feed itself, which calendar apps fetch without signing in."""

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition

from organizations.decorators import permission_required
from organizations.emails import absolute_url
from organizations.http import post_only, run_reporting
from organizations.models import Organization
from organizations.tenancy import tenant_context
from sessions import circles, feeds
from sessions.calendar import (
    circle_ics,
    circle_invite,
    circle_sequence,
    feed_calendar,
    session_invite,
)
from sessions.circle_invites import circle_organizer, participation_path
from sessions.models import CircleRsvp, MentoringSession, SupportCircle
from sessions.selectors import mentor_places, my_pair

CALENDAR = "text/calendar; charset=utf-8"


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CALENDAR)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@permission_required("program.participate")
def session_ics(request, org_slug, pair_id, session_id):
    """The session's invitation as a file: the emailed one's UID and SEQUENCE, so opening
    it updates the meeting a calendar already has."""
    pair, _me, _partner = my_pair(
        organization=request.organization, user=request.user, pair_id=pair_id
    )
    session = get_object_or_404(MentoringSession, pk=session_id, pair=pair)
    session.pair = pair  # loaded with its program and people
    return _ics(session_invite(session), "session.ics")


@permission_required("program.participate")
def circle_ics_download(request, org_slug, circle_id):
    """A support circle's meeting, for the mentors of its program: the mentor's own
    invitation once they have answered (its UID and SEQUENCE, so it updates the emailed
    one), else the meeting as published."""
    mentoring = mentor_places(organization=request.organization, user=request.user)
    circle = get_object_or_404(SupportCircle, pk=circle_id, program__in=mentoring.values("program"))
    participant = mentoring.select_related("employee").get(program=circle.program_id)
    page = absolute_url(participation_path(participant))
    rsvp = CircleRsvp.objects.filter(circle=circle, participant=participant).first()
    if rsvp is None:
        return _ics(circle_ics(circle, url=page), "circle.ics")
    invite = circle_invite(
        circle,
        person=participant,
        going=rsvp.going,
        sequence=circle_sequence(circle, rsvp),
        organizer=circle_organizer(circle),
        url=page,
    )
    return _ics(invite, "circle.ics")


@permission_required("program.participate")
def circle_rsvp(request, org_slug, circle_id):
    """A mentor joins or leaves one of their program's circles (POST ``going``: yes or
    no). Anyone else, a mentee or another program's mentor, gets 404."""
    mentoring = mentor_places(organization=request.organization, user=request.user)
    circle = get_object_or_404(SupportCircle, pk=circle_id, program__in=mentoring.values("program"))
    if request.method != "POST":
        return post_only()
    participant = mentoring.get(program=circle.program_id)
    going = request.POST.get("going") == "yes"
    done = (
        _("You're going to “%(title)s”. The invitation is on its way to your calendar.")
        if going
        else _("You're not going to “%(title)s”.")
    )
    run_reporting(
        request,
        lambda: circles.circle_rsvp(circle=circle, participant=participant, going=going),
        done % {"title": circle.title},
    )
    return redirect(participation_path(participant) + f"#circle-{circle.pk}")


@permission_required("program.participate")
def calendar_feed_settings(request, org_slug):
    """The person's feed address: made (or made anew, which revokes the old one) and
    shown once, or revoked."""
    membership = request.membership
    context = {}
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feeds.calendar_feed_revoke(membership=membership)
            context["revoked"] = True
        else:
            _feed, raw = feeds.calendar_feed_create(membership=membership)
            context["feed_url"] = feeds.calendar_feed_url(
                organization=request.organization, raw_token=raw
            )
            context["webcal_url"] = feeds.calendar_feed_url(
                organization=request.organization, raw_token=raw, webcal=True
            )
    context["feed"] = feeds.calendar_feed_get(membership=membership)
    return render(request, "sessions/calendar_feed.html", context)


@csrf_exempt  # it changes nothing, and a wrong token must answer 404 to every method
def calendar_feed(request, organization_slug, feed_token):
    """The feed, found by its token inside the organisation its address names: a revoked,
    guessed or other organisation's token answers 404, to every method."""
    organization = Organization.objects.filter(slug=organization_slug).first()
    if organization is None:
        raise Http404
    with tenant_context(organization=organization):
        feed = feeds.calendar_feed_find(organization=organization, raw_token=feed_token)
        if feed is None:
            raise Http404
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if (retry_after := feeds.feed_retry_after(feed=feed)) is not None:
            response = HttpResponse(
                _("Too many requests for this calendar feed. Try again later."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(retry_after)
            return response
        contents = feeds.feed_contents(feed=feed)
        changed_at = feeds.feed_version_changed_at(feed=feed, etag=contents.etag)
        return _feed_response(request, contents=contents, changed_at=changed_at)


# Calendar apps poll: one that has this version (by its ETag, or its Last-Modified for
# those that send only If-Modified-Since) gets 304, and nothing is built. If-None-Match
# wins when both are sent (RFC 9110), as Django's conditional handling has it.
@cache_control(private=True, no_cache=True)
@condition(
    etag_func=lambda request, contents, changed_at: contents.etag,
    last_modified_func=lambda request, contents, changed_at: changed_at,
)
def _feed_response(request, contents, changed_at):
    body = feed_calendar(contents.entries, name=contents.name, zone=contents.zone)
    return HttpResponse(body, content_type=CALENDAR)
