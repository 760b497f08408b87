"""The reminder rules: who should be reminded of what, at a given moment.

Each rule is ``rule(organization, now) -> list[Candidate]``. Rules only read (the caller
has entered the organisation); ``notifications.delivery`` turns candidates into notifications,
once each, because every candidate carries a key naming its occasion ("kind:object:
occasion") and the database holds that key unique per person. A rule may therefore fire
on every tick of its window: the first tick creates the notification, later ones nothing.

Reminders adapt to activity: the cadence rules look at what the pair actually did, so a
pair that meets on its own is never nudged.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Min
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.links import members_by_employee
from directory.zones import zone_for, zones_for_members
from matching.models import Pair
from notifications.kinds import Candidate
from notifications.models import Notification
from organizations.languages import speaking_to
from organizations.models import Membership, Organization
from programs.models import Cohort, Participant
from programs.selectors import program_manager_links
from programs.training import modules_for, trained_ids
from sessions.cadence import QUIET, cadence, days_between_sessions, pair_began
from sessions.models import Conversation, MentoringSession
from sessions.notices import SessionNotice

UNLOGGED_AFTER = timedelta(hours=2)  # after a session's end, ask for its log
UNLOGGED_UNTIL = timedelta(days=7)  # ... for a week; older sessions are history
UPCOMING_BEFORE = timedelta(hours=24)
TRAINING_DAYS_BEFORE = 7
MILESTONE_GRACE_DAYS = 3  # a milestone missed by a beat outage still goes out, if late
CLOSING_DAYS_BEFORE = 7


# --- Sessions -------------------------------------------------------------------------


def session_upcoming(organization: Organization, now: datetime) -> list[Candidate]:
    """Both people, within the 24 hours before a booked session. The key carries the
    session's sequence: a moved session is reminded of again, at its new time."""
    sessions = _sessions(organization).filter(
        status=MentoringSession.Status.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + UPCOMING_BEFORE,
    )
    members = members_by_employee(organization)
    candidates = []
    for session in sessions:
        for person, partner in _people(session.pair):
            recipient = _member(members, person)
            if recipient is None:
                continue
            with speaking_to(recipient, organization):
                when = _local(
                    session.starts_at, zone_for(organization=organization, participant=person)
                )
                body = ngettext(
                    "With %(partner)s: %(when)s, %(minutes)s minute.",
                    "With %(partner)s: %(when)s, %(minutes)s minutes.",
                    session.duration_minutes,
                ) % {
                    "partner": partner.employee.name,
                    "when": when,
                    "minutes": session.duration_minutes,
                }
                if session.video_link:
                    body += "\n" + _("Video link: %(link)s") % {"link": session.video_link}
                if session.location:
                    body += "\n" + _("Place: %(place)s") % {"place": session.location}
                candidates.append(
                    Candidate(
                        recipient=recipient,
                        kind=SessionNotice.SESSION_UPCOMING,
                        key=f"{SessionNotice.SESSION_UPCOMING}:session:{session.pk}:{session.sequence}",
                        title=_("Coming up: your session with %(partner)s")
                        % {"partner": partner.employee.name},
                        body=body,
                        url=_session_path(organization, session, "mentoring:session"),
                        deadline=session.starts_at,
                    )
                )
    return candidates


def session_unlogged(organization: Organization, now: datetime) -> list[Candidate]:
    """Both people, from two hours after a booked session ended until one of them logs
    it (held or not), for a week at most."""
    longest = timedelta(minutes=240)
    sessions = _sessions(organization).filter(
        status=MentoringSession.Status.SCHEDULED,
        logged_at__isnull=True,
        starts_at__lte=now - UNLOGGED_AFTER,
        starts_at__gt=now - UNLOGGED_UNTIL - longest,
    )
    members = members_by_employee(organization)
    candidates = []
    for session in sessions:
        if not session.ends_at + UNLOGGED_AFTER <= now < session.ends_at + UNLOGGED_UNTIL:
            continue
        for person, partner in _people(session.pair):
            recipient = _member(members, person)
            if recipient is None:
                continue
            with speaking_to(recipient, organization):
                candidates.append(
                    Candidate(
                        recipient=recipient,
                        kind=SessionNotice.SESSION_UNLOGGED,
                        key=f"{SessionNotice.SESSION_UNLOGGED}:session:{session.pk}:{session.sequence}",
                        title=_("How did your session with %(partner)s go?")
                        % {"partner": partner.employee.name},
                        body=_(
                            "The session of %(when)s is not logged yet. Say whether it took "
                            "place and add your reflection; your private notes stay yours."
                        )
                        % {
                            "when": _local(
                                session.starts_at,
                                zone_for(organization=organization, participant=person),
                            )
                        },
                        url=_session_path(organization, session, "mentoring:session_log"),
                    )
                )
    return candidates


# --- Cadence ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietPair:
    pair: Pair
    paired_at: datetime
    since: datetime  # the last session, else the day the pair began
    interval: timedelta  # the program's time between sessions

    @property
    def occasion(self) -> str:
        """The quiet spell: the (UTC) day it began from. A new spell, a new nudge."""
        return self.since.astimezone(UTC).date().isoformat()

    @property
    def nudge_key(self) -> str:
        return f"{SessionNotice.PAIR_QUIET}:pair:{self.pair.pk}:{self.occasion}"

    @property
    def alert_key(self) -> str:
        return f"{SessionNotice.PAIR_QUIET_ALERT}:pair:{self.pair.pk}:{self.occasion}"


def quiet_pairs(organization: Organization, now: datetime) -> list[QuietPair]:
    """Active pairs of running cohorts that have gone quiet by ``cadence()``: nothing met
    for twice the program's interval and nothing booked. A booked session that has
    passed unlogged counts as met: the unlogged reminder asks for its log instead."""
    pairs = list(
        Pair.objects.filter(organization=organization, status=Pair.Status.ACTIVE)
        .filter(cohort__end_date__gte=_today(organization, now))
        .select_related(
            "program",
            "cohort",
            "run",
            "mentor__employee",
            "mentee__employee",
            "mentor__organization",
            "mentee__organization",
        )
        .order_by("pk")
    )
    met: dict[int, list[datetime]] = {}
    for pair_id, starts_at in MentoringSession.objects.filter(
        pair__in=pairs,
        status__in=[MentoringSession.Status.HELD, MentoringSession.Status.SCHEDULED],
        starts_at__lte=now,
    ).values_list("pair_id", "starts_at"):
        met.setdefault(pair_id, []).append(starts_at)
    booked = dict(
        MentoringSession.objects.filter(
            pair__in=pairs, status=MentoringSession.Status.SCHEDULED, starts_at__gt=now
        )
        .values("pair_id")
        .annotate(first=Min("starts_at"))
        .values_list("pair_id", "first")
    )
    # A message counts as contact (sessions.conversation); its date alone is read.
    contact = dict(
        Conversation.objects.filter(pair__in=pairs, last_message_at__isnull=False).values_list(
            "pair_id", "last_message_at"
        )
    )
    zone = organization.zone
    quiet = []
    for pair in pairs:
        published_at = pair.published_at or pair.run.published_at
        if published_at is None:
            continue
        paired_at = pair_began(
            published_at=published_at, cohort_start=pair.cohort.start_date, zone=zone
        )
        if paired_at > now:
            continue
        state = cadence(
            now=now,
            paired_at=paired_at,
            held_starts=met.get(pair.pk, []),
            next_scheduled=booked.get(pair.pk),
            sessions_per_month=pair.program.sessions_per_month,
            planned=pair.program.planned_sessions,
            last_contact=contact.get(pair.pk),
        )
        if state.status == QUIET:
            interval = timedelta(days=days_between_sessions(pair.program.sessions_per_month))
            quiet.append(QuietPair(pair, paired_at, state.quiet_since, interval))
    return quiet


def pair_quiet(organization: Organization, now: datetime) -> list[Candidate]:
    """Both people of a quiet pair, once per quiet spell."""
    members = members_by_employee(organization)
    candidates = []
    for quiet in quiet_pairs(organization, now):
        for person, partner in _people(quiet.pair):
            recipient = _member(members, person)
            if recipient is None:
                continue
            with speaking_to(recipient, organization):
                candidates.append(
                    Candidate(
                        recipient=recipient,
                        kind=SessionNotice.PAIR_QUIET,
                        key=quiet.nudge_key,
                        title=_("Time to meet %(partner)s") % {"partner": partner.employee.name},
                        body=_quiet_body(
                            quiet, zone_for(organization=organization, participant=person)
                        )
                        + " "
                        + _("Book your next session from your pair's page."),
                        url=_pair_path(organization, quiet.pair),
                    )
                )
    return candidates


def pair_quiet_alert(organization: Organization, now: datetime) -> list[Candidate]:
    """The program's managers, when a pair stayed quiet for a further interval after
    both were nudged (or, if neither can be nudged, three intervals after they last met
    or began)."""
    quiet = quiet_pairs(organization, now)
    if not quiet:
        return []
    members = members_by_employee(organization)
    nudged_at = dict(
        Notification.objects.filter(organization=organization, key__in=[q.nudge_key for q in quiet])
        .values("key")
        .annotate(first=Min("send_after"))
        .values_list("key", "first")
    )
    managers = _program_managers(organization, {q.pair.program_id for q in quiet})
    zones = zones_for_members(
        organization=organization, memberships=[m for ms in managers.values() for m in ms]
    )
    candidates = []
    for q in quiet:
        pair = q.pair
        nudged = nudged_at.get(q.nudge_key)
        if nudged is not None:
            due = nudged + q.interval
        elif any(_member(members, person) for person in (pair.mentor, pair.mentee)):
            continue  # the nudge comes first (this very tick creates it)
        else:
            due = q.since + 3 * q.interval
        if now < due:
            continue
        for manager in managers.get(pair.program_id, []):
            with speaking_to(manager, organization):
                zone = zones[manager.pk]
                body = _quiet_body(q, zone)
                if nudged is not None:
                    body += " " + _("Both were reminded on %(date)s.") % {
                        "date": _local_date(nudged, zone)
                    }
                candidates.append(
                    Candidate(
                        recipient=manager,
                        kind=SessionNotice.PAIR_QUIET_ALERT,
                        key=q.alert_key,
                        title=_("%(mentor)s and %(mentee)s have gone quiet")
                        % {
                            "mentor": pair.mentor.employee.name,
                            "mentee": pair.mentee.employee.name,
                        },
                        body=body
                        + " "
                        + _("%(program)s, %(cohort)s.")
                        % {"program": pair.program.name, "cohort": pair.cohort.name},
                        url=reverse(
                            "matching:cohort",
                            kwargs={
                                "org_slug": organization.slug,
                                "program_id": pair.program_id,
                                "cohort_id": pair.cohort_id,
                            },
                        ),
                    )
                )
    return candidates


def _quiet_body(quiet: QuietPair, zone: ZoneInfo) -> str:
    pair = quiet.pair
    per_month = pair.program.sessions_per_month
    rhythm = ngettext(
        "The program suggests meeting once a month.",
        "The program suggests meeting %(count)s times a month.",
        per_month,
    ) % {"count": per_month}
    if quiet.since != quiet.paired_at:
        last = _("The last session was on %(date)s and none is booked.")
    else:
        last = _("There has been no session since the pair began on %(date)s.")
    return rhythm + " " + last % {"date": _local_date(quiet.since, zone)}


# --- Programs ---------------------------------------------------------------------------


def training_due(organization: Organization, now: datetime) -> list[Candidate]:
    """Approved participants whose cohort starts within a week and who have not done
    every module their role requires; once per person and cohort start date."""
    today = _today(organization, now)
    cohorts = Cohort.objects.filter(
        organization=organization,
        start_date__gte=today,
        start_date__lte=today + timedelta(days=TRAINING_DAYS_BEFORE),
    )
    members = members_by_employee(organization)
    candidates = []
    for cohort in cohorts.select_related("program"):
        people = list(_approved(cohort))
        done = trained_ids(people)
        for person in people:
            recipient = _member(members, person)
            if person.pk in done or recipient is None:
                continue
            with speaking_to(recipient, organization):
                missing = [
                    m.title for m in _required_modules(person) if m.pk not in _completed(person)
                ]
                candidates.append(
                    Candidate(
                        recipient=recipient,
                        kind=SessionNotice.TRAINING_DUE,
                        key=f"{SessionNotice.TRAINING_DUE}:participant:{person.pk}:{cohort.start_date}",
                        title=_("Training to finish before %(cohort)s starts")
                        % {"cohort": cohort.name},
                        body=_(
                            "%(program)s, %(cohort)s, starts on %(date)s. Still to do: %(list)s."
                        )
                        % {
                            "program": cohort.program.name,
                            "cohort": cohort.name,
                            "date": dateformat.format(cohort.start_date, "l j F Y"),
                            "list": "; ".join(missing),
                        },
                        url=_participation_path(organization, person),
                    )
                )
    return candidates


def _required_modules(person: Participant):
    return modules_for(person).filter(required_before_matching=True)


def _completed(person: Participant) -> set[int]:
    return set(person.completions.values_list("module_id", flat=True))


def milestones(cohort: Cohort) -> list[tuple[str, date]]:
    """A cohort's milestones and their dates: kick-off, midpoint, closing week."""
    middle = cohort.start_date + (cohort.end_date - cohort.start_date) / 2
    return [
        ("kickoff", cohort.start_date),
        ("midpoint", middle),
        ("closing", cohort.end_date - timedelta(days=CLOSING_DAYS_BEFORE)),
    ]


def cohort_milestones(organization: Organization, now: datetime) -> list[Candidate]:
    """The cohort's approved participants, on each milestone's day (in their own time
    zone), or within a few days of it if the reminders were not running that day."""
    first_day = _today(organization, now) - timedelta(days=MILESTONE_GRACE_DAYS + 1)
    cohorts = Cohort.objects.filter(
        organization=organization,
        end_date__gte=first_day,
        start_date__lte=_today(organization, now) + timedelta(days=1),
    ).select_related("program")
    members = members_by_employee(organization)
    candidates = []
    for cohort in cohorts:
        people = [(p, _member(members, p)) for p in _approved(cohort)]
        for occasion, day in milestones(cohort):
            for person, recipient in people:
                today = now.astimezone(
                    zone_for(organization=organization, participant=person)
                ).date()
                if recipient is None or not day <= today < day + timedelta(
                    days=MILESTONE_GRACE_DAYS
                ):
                    continue
                with speaking_to(recipient, organization):
                    title, body = _milestone_text(occasion, cohort)
                    candidates.append(
                        Candidate(
                            recipient=recipient,
                            kind=SessionNotice.MILESTONE,
                            key=f"{SessionNotice.MILESTONE}:cohort:{cohort.pk}:{occasion}",
                            title=title,
                            body=body,
                            url=_participation_path(organization, person),
                        )
                    )
    return candidates


def _milestone_text(occasion: str, cohort: Cohort) -> tuple[str, str]:
    names = {"cohort": cohort.name, "program": cohort.program.name}
    end = dateformat.format(cohort.end_date, "l j F Y")
    if occasion == "kickoff":
        return (
            _("%(cohort)s starts today") % names,
            _(
                "Welcome to %(program)s. Meet your partner soon: the first session is for "
                "getting to know each other and agreeing your goals."
            )
            % names,
        )
    if occasion == "midpoint":
        return (
            _("%(cohort)s is halfway through") % names,
            _(
                "Halfway through %(program)s: a good moment to look at your goals together "
                "and decide what to focus on until %(end)s."
            )
            % {**names, "end": end},
        )
    return (
        _("%(cohort)s closes in a week") % names,
        _(
            "%(program)s closes on %(end)s. Plan a last session to look back on what each "
            "of you learned and what will change."
        )
        % {**names, "end": end},
    )


RULES = [
    session_upcoming,
    session_unlogged,
    pair_quiet,
    pair_quiet_alert,
    training_due,
    cohort_milestones,
]


# --- People -----------------------------------------------------------------------------


def _member(members: dict[int, Membership], person: Participant) -> Membership | None:
    return members.get(person.employee_id)


def _program_managers(organization, program_ids) -> dict[int, list[Membership]]:
    managers: dict[int, list[Membership]] = {}
    for link in (
        program_manager_links()
        .filter(organization=organization, program__in=program_ids)
        .select_related("membership__user")
        .order_by("pk")
    ):
        managers.setdefault(link.program_id, []).append(link.membership)
    return managers


def _approved(cohort: Cohort):
    return Participant.objects.filter(
        cohort=cohort, status=Participant.Status.APPROVED
    ).select_related("employee", "organization", "program")


def _people(pair: Pair) -> list[tuple[Participant, Participant]]:
    return [(pair.mentor, pair.mentee), (pair.mentee, pair.mentor)]


def _sessions(organization: Organization):
    return (
        MentoringSession.objects.filter(organization=organization, pair__status=Pair.Status.ACTIVE)
        .select_related(
            "pair__mentor__employee",
            "pair__mentee__employee",
            "pair__mentor__organization",
            "pair__mentee__organization",
        )
        .order_by("starts_at", "pk")
    )


# --- Formatting -------------------------------------------------------------------------


def _today(organization: Organization, now: datetime) -> date:
    return now.astimezone(organization.zone).date()


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return f"{dateformat.format(moment.astimezone(zone), 'l j F Y, H:i')} ({zone.key})"


def _local_date(moment: datetime, zone: ZoneInfo) -> str:
    return dateformat.format(moment.astimezone(zone), "j F Y")


def _pair_path(organization: Organization, pair: Pair) -> str:
    return reverse("mentoring:pair", kwargs={"org_slug": organization.slug, "pair_id": pair.pk})


def _session_path(organization, session: MentoringSession, name: str) -> str:
    return reverse(
        name,
        kwargs={
            "org_slug": organization.slug,
            "pair_id": session.pair_id,
            "session_id": session.pk,
        },
    )


def _participation_path(organization, person: Participant) -> str:
    return reverse(
        "home:participation",
        kwargs={"org_slug": organization.slug, "participant_id": person.pk},
    )
