"""The banner that tells an organisation's admins and program managers that background
work has stopped: reminders, survey schedules, nightly snapshots and the outbox sweep all
wait for a worker, and without one nothing on the page says so.

Whether work runs, and since when it stopped, is config.health.background_work's answer,
the one /healthz gives. Read once per full page (the shell's context is lazy, so a
partial or a page that does not show the shell reads nothing): one cache read, and for
the viewer's time zone a query or two only while the banner shows.
"""

from dataclasses import dataclass
from datetime import datetime

from config.health import background_work
from directory.zones import zone_for
from organizations.permissions import has_permission


@dataclass(frozen=True)
class BackgroundNotice:
    # When a worker last ran beat's heartbeat; None when none ever has (as far as the
    # cache remembers).
    last_beat: datetime | None
    zone: str  # the viewer's time zone (directory.zones.zone_for), for last_beat


def background_notice(request) -> BackgroundNotice | None:
    """The notice for this request's member, or None: not under /o/<slug>/, not a member
    who runs programs (participants and executives cannot restart a worker and are told
    nothing of it), or background work running. Tasks run eagerly (no broker: the tests)
    count as running, as /healthz counts them: there is no worker to miss."""
    membership = getattr(request, "membership", None)
    if membership is None or not has_permission(membership, "background_work.view"):
        return None
    work = background_work()
    if not work.stopped:
        return None
    zone = zone_for(organization=request.organization, membership=membership)
    return BackgroundNotice(last_beat=work.last_beat, zone=zone.key)
