"""Which time zone a person is in: the one answer every page, email, reminder, survey,
report and calendar invitation uses when it shows a person a time or decides their day
or their night.

The order, for everyone:

1. The person's own choice. A participant's is the zone they gave for that place in a
   program, then their directory entry's (``Employee.time_zone``). A member seen without
   a program place (a manager, the recipient of a notification) has the zone of their
   latest place that gives one, then their directory entry's. Users and memberships have
   no zone of their own.
2. The organisation's zone (``Organization.zone``).
3. UTC, only when the organisation has none (an empty or unknown stored name).

A stored name that is not a zone (a bad import, a zone withdrawn from the tz database)
counts as no choice at all: the next step answers, and nothing raises.

Things about the organisation rather than a person (the nightly report's day, a cohort's
calendar, a manager page's form in the organisation's time) use ``Organization.zone``.
"""

import zoneinfo
from collections.abc import Callable, Iterable
from functools import lru_cache

from directory.models import Employee
from organizations.models import Membership, Organization

# A source maps (organization, membership ids) to (membership id, zone name) rows, the
# most recent choice of each person first. Apps above this one keep the choices (a
# participant's place, in programs) and register their source when they load.
ChoiceSource = Callable[[Organization, set[int]], Iterable[tuple[int, str]]]
_CHOICE_SOURCES: list[ChoiceSource] = []


def register_chosen_zones(source: ChoiceSource) -> ChoiceSource:
    if source not in _CHOICE_SOURCES:
        _CHOICE_SOURCES.append(source)
    return source


def zone_for(
    *, organization: Organization, participant=None, membership: Membership | None = None
) -> zoneinfo.ZoneInfo:
    """The time zone of one person, given as a participant (a program place, with its
    ``employee`` loaded or loadable) or as a membership: the module's order, own choice,
    then the organisation's zone, then UTC."""
    if participant is not None:
        employee = participant.employee
        return _first_zone((participant.time_zone, employee.time_zone), organization)
    if membership is not None:
        return zones_for_members(organization=organization, memberships=[membership])[membership.pk]
    return organization.zone


def zones_for_members(
    *, organization: Organization, memberships: Iterable[Membership]
) -> dict[int, zoneinfo.ZoneInfo]:
    """``zone_for(membership=...)`` for many members in a fixed number of queries, keyed
    by membership id. A member's directory entry is the one linked to their membership
    (directory.links)."""
    memberships = list(memberships)
    ids = {m.pk for m in memberships}
    choices: dict[int, list[str]] = {}
    for source in _CHOICE_SOURCES:
        for member_id, name in source(organization, ids):
            choices.setdefault(member_id, []).append(name)
    directory = (
        Employee.objects.filter(organization=organization, member__in=ids)
        .exclude(time_zone="")
        .values_list("member", "time_zone")
    )
    for member_id, name in directory:
        choices.setdefault(member_id, []).append(name)
    return {m.pk: _first_zone(choices.get(m.pk, ()), organization) for m in memberships}


def _first_zone(names: Iterable[str], organization: Organization) -> zoneinfo.ZoneInfo:
    for name in names:
        zone = _zone_named(name)
        if zone is not None:
            return zone
    return organization.zone


@lru_cache(maxsize=512)
def _zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (KeyError, ValueError):
        return None
