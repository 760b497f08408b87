"""The organisation's home page, read section by section: one function per section, each
returning plain data, or None when the member's permissions leave the section out.

The reads go through the other apps' selectors wherever one exists (the program list,
the manager's pair activity, a person's places, the reports' suppression rules), so the
overview counts what the pages it links to count. Each section runs a fixed number of
queries; the program section a fixed number per program, and it shows at most
``PROGRAMS_SHOWN`` programs, so the page stays bounded however large the organisation.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from directory.models import DirectoryImport
from directory.selectors import directory_import_list, employee_list
from directory.zones import zone_for
from home.navigation import NAV_ITEMS, NavItem
from matching.models import Pair
from organizations.models import Membership, Organization
from organizations.permissions import has_permission, has_permission_everywhere
from organizations.roles import Role
from organizations.selectors import invitation_list, member_list
from organizations.suppression import report_min_group
from programs.models import (
    Audience,
    Cohort,
    Participant,
    Program,
    ProgramManager,
    TrainingCompletion,
    TrainingModule,
)
from programs.selectors import OPEN_PLACES, participations_of, programs_managed_by
from programs.training import AUDIENCE_OF_ROLE
from reports.dashboard import Counted, Tile
from reports.measures import BY_KEY, shown
from reports.models import ORGANIZATION_SCOPE, Snapshot
from reports.selectors import counted, today
from sessions import cadence as rhythm
from sessions.manager_selectors import pair_activity
from sessions.models import MentoringSession
from surveys.models import Assignment

PROGRAMS_SHOWN = 6
SURVEYS_SHOWN = 5
# The figures an executive sees first; the dashboard has the rest.
HEADLINE_MEASURES = ("pairs_active", "cadence", "sessions", "satisfaction")
# Running programs first, the ones still being designed last.
_STATUS_ORDER = [
    Program.Status.ACTIVE,
    Program.Status.MATCHING,
    Program.Status.RECRUITING,
    Program.Status.CLOSING,
    Program.Status.DRAFT,
]
# The longest a session can last (MentoringSession.duration_minutes): one that started
# longer ago than this is over, whatever its own length.
_LONGEST_SESSION = timedelta(minutes=240)


def overview_sections(*, organization: Organization, membership: Membership, user) -> dict:
    """Every section of the page, by the name the template uses."""
    return {
        "organization_section": admin_section(organization=organization, membership=membership),
        "programs_section": programs_section(organization=organization, membership=membership),
        "mentoring_section": mentoring_section(
            organization=organization, membership=membership, user=user
        ),
        "results_section": results_section(organization=organization, membership=membership),
    }


# --- Running the organisation ---------------------------------------------------------


@dataclass(frozen=True)
class LastImport:
    pk: int
    file_name: str
    status: str
    status_label: str
    at: datetime
    created: int
    updated: int
    rejected: int

    @property
    def is_checked(self) -> bool:
        return self.status == DirectoryImport.Status.CHECKED

    @property
    def is_applied(self) -> bool:
        return self.status == DirectoryImport.Status.APPLIED

    @property
    def is_failed(self) -> bool:
        return self.status == DirectoryImport.Status.FAILED


@dataclass(frozen=True)
class AdminOverview:
    # None: not this member's to see (the page it would link to is refused to them).
    active_members: int | None = None
    inactive_members: int = 0
    pending_invitations: int | None = None
    expired_invitations: int = 0
    employees: int | None = None
    last_import: LastImport | None = None
    can_import: bool = False
    links: list[NavItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return (
            self.active_members is None
            and self.pending_invitations is None
            and self.employees is None
            and not self.links
        )


# The admin's quick links: the navigation's own entries, labels and permissions.
_QUICK_LINKS = ("organizations:settings", "organizations:audit_log", "organizations:api_keys")


def admin_section(*, organization: Organization, membership: Membership) -> AdminOverview | None:
    """Members, invitations, the directory and the quick links, each only when the member
    may open the page it links to. At most four queries."""
    found: dict = {
        "links": [
            item
            for item in NAV_ITEMS
            if item.url_name in _QUICK_LINKS and has_permission(membership, item.permission)
        ],
    }
    if has_permission(membership, "member.view"):
        counts = member_list(organization=organization).aggregate(
            active=Count("pk", filter=Q(is_active=True)),
            inactive=Count("pk", filter=Q(is_active=False)),
        )
        found |= {"active_members": counts["active"], "inactive_members": counts["inactive"]}
    if has_permission(membership, "invitation.view"):
        now = timezone.now()
        # Open ones only (not accepted, not revoked): an expired one can still be resent.
        counts = (
            invitation_list(organization=organization)
            .filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .aggregate(
                pending=Count("pk", filter=Q(expires_at__gt=now)),
                expired=Count("pk", filter=Q(expires_at__lte=now)),
            )
        )
        found |= {
            "pending_invitations": counts["pending"],
            "expired_invitations": counts["expired"],
        }
    if has_permission(membership, "directory.view"):
        day = timezone.localdate()  # the organisation's day: the middleware set its zone
        found["employees"] = (
            employee_list(organization=organization)
            .filter(Q(termination_date__isnull=True) | Q(termination_date__gt=day))
            .count()
        )
        if has_permission(membership, "directory.manage"):
            found |= {"can_import": True, "last_import": _last_import(organization)}
    overview = AdminOverview(**found)
    return None if overview.empty else overview


def _last_import(organization: Organization) -> LastImport | None:
    record = (
        directory_import_list(organization=organization)
        .select_related(None)
        # Not the rejections: a long list nobody reads here.
        .only(
            "pk",
            "original_name",
            "status",
            "created_at",
            "finished_at",
            "to_create",
            "to_update",
            "rejected",
        )  # fmt: skip
        .first()
    )
    if record is None:
        return None
    return LastImport(
        pk=record.pk,
        file_name=record.original_name,
        status=record.status,
        status_label=str(DirectoryImport.Status(record.status).label),
        at=record.finished_at or record.created_at,
        created=record.to_create,
        updated=record.to_update,
        rejected=record.rejected,
    )


# --- Programs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortLine:
    pk: int
    name: str
    waiting: int  # applications waiting for a decision


@dataclass(frozen=True)
class ProgramLine:
    pk: int
    name: str
    status: str
    status_label: str
    managed_by_me: bool
    cohorts: list[CohortLine]
    active_pairs: int
    behind: int
    quiet: int

    @property
    def waiting(self) -> int:
        return sum(cohort.waiting for cohort in self.cohorts)

    @property
    def queues(self) -> list[CohortLine]:
        """The cohorts with applications waiting: each has its approval queue."""
        return [cohort for cohort in self.cohorts if cohort.waiting]

    @property
    def queue(self) -> CohortLine | None:
        """The approval queue to open first: the cohort with the most waiting."""
        return max(self.queues, key=lambda cohort: cohort.waiting, default=None)

    @property
    def needs_attention(self) -> int:
        return self.behind + self.quiet


@dataclass(frozen=True)
class ProgramsOverview:
    programs: list[ProgramLine]
    total: int  # programs not closed, shown or not
    can_create: bool

    @property
    def more(self) -> int:
        return self.total - len(self.programs)


def programs_section(
    *, organization: Organization, membership: Membership, now: datetime | None = None
) -> ProgramsOverview | None:
    """The programs the member can see that are not closed (a program manager's own; every
    program for an admin, their own first), each with its cohorts' waiting applications
    and its pairs' cadence (as the manager's pair list judges it). Two queries, then
    pair_activity's few per program shown."""
    if not has_permission(membership, "program.view"):
        return None
    now = now or timezone.now()
    running = programs_managed_by(membership, "program.view").exclude(status=Program.Status.CLOSED)
    managed = ProgramManager.objects.filter(program=OuterRef("pk"), membership=membership)
    rank = Case(
        *(When(status=status, then=Value(i)) for i, status in enumerate(_STATUS_ORDER)),
        default=Value(len(_STATUS_ORDER)),
        output_field=IntegerField(),
    )
    programs = list(
        running.select_related("organization")  # pair_activity reads its time zone
        .annotate(managed_by_me=Exists(managed), rank=rank)
        .order_by("-managed_by_me", "rank", "-start_date", "name")[:PROGRAMS_SHOWN]
    )
    total = len(programs) if len(programs) < PROGRAMS_SHOWN else running.count()
    cohorts: dict[int, list[CohortLine]] = {program.pk: [] for program in programs}
    for row in (
        Cohort.objects.filter(organization=organization, program__in=list(cohorts))
        .annotate(
            waiting=Count("participants", filter=Q(participants__status=Participant.Status.APPLIED))
        )
        .order_by("start_date", "name")
        .values("pk", "program_id", "name", "waiting")
    ):
        cohorts[row["program_id"]].append(CohortLine(row["pk"], row["name"], row["waiting"]))
    return ProgramsOverview(
        programs=[_program_line(program, cohorts[program.pk], now) for program in programs],
        total=total,
        can_create=has_permission(membership, "program.manage"),
    )


def _program_line(program: Program, cohorts: list[CohortLine], now: datetime) -> ProgramLine:
    # The manager's pair list's own rows: the same pairs, judged by the same cadence rule.
    active = [row for row in pair_activity(program, now=now) if row.status == Pair.Status.ACTIVE]
    return ProgramLine(
        pk=program.pk,
        name=program.name,
        status=program.status,
        status_label=str(program.get_status_display()),
        managed_by_me=program.managed_by_me,
        cohorts=cohorts,
        active_pairs=len(active),
        behind=sum(1 for row in active if row.cadence.status == rhythm.BEHIND),
        quiet=sum(1 for row in active if row.cadence.status == rhythm.QUIET),
    )


# --- Taking part ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceLine:
    participant_id: int
    program_name: str
    cohort_name: str
    role_label: str
    status: str
    status_label: str
    paired: bool  # in an active pair: the pair's card stands for it

    @property
    def is_invited(self) -> bool:
        return self.status == Participant.Status.INVITED

    @property
    def is_applied(self) -> bool:
        return self.status == Participant.Status.APPLIED


@dataclass(frozen=True)
class PairLine:
    pk: int
    program_name: str
    my_role_label: str
    partner_name: str
    next_session: datetime | None
    zone: str  # the person's own time zone, for the next session's time


@dataclass(frozen=True)
class SurveyLine:
    assignment_id: int
    title: str
    program_name: str
    closes_at: datetime


@dataclass(frozen=True)
class TrainingLine:
    participant_id: int
    program_name: str
    modules: list[str]  # the required modules not done yet, in the program's order


@dataclass(frozen=True)
class MentoringOverview:
    places: list[PlaceLine]
    pairs: list[PairLine]
    surveys: list[SurveyLine]
    more_surveys: int
    training: list[TrainingLine]

    @property
    def survey_count(self) -> int:
        return len(self.surveys) + self.more_surveys

    @property
    def empty(self) -> bool:
        return not (self.places or self.pairs or self.surveys)


def mentoring_section(
    *, organization: Organization, membership: Membership, user, now: datetime | None = None
) -> MentoringOverview | None:
    """The member's own places and pairs, the surveys waiting for them and the training
    still required. Shown to whoever has a place in a program (an executive can be a
    mentee), and to participants without one, with the empty state. At most six queries.
    """
    if not has_permission(membership, "program.participate"):
        return None
    now = now or timezone.now()
    # zone_for falls back on the organisation's zone: loaded with the places.
    mine = participations_of(organization=organization, user=user).select_related("organization")
    everything = [place for place in mine if place.program.status != Program.Status.CLOSED]
    if not everything and not membership.has_role(Role.PARTICIPANT):
        return None
    pairs = _pairs(everything, now)
    paired = {place_id for line, place_id in pairs}
    places = [p for p in everything if p.status in OPEN_PLACES or p.pk in paired]
    surveys = _surveys(mine, now)
    return MentoringOverview(
        places=[
            PlaceLine(
                participant_id=place.pk,
                program_name=place.program.name,
                cohort_name=place.cohort.name,
                role_label=str(place.get_role_display()),
                status=place.status,
                status_label=str(place.get_status_display()),
                paired=place.pk in paired,
            )
            for place in places
        ],
        pairs=[line for line, _place_id in pairs],
        surveys=surveys[:SURVEYS_SHOWN],
        more_surveys=max(len(surveys) - SURVEYS_SHOWN, 0),
        training=_training([p for p in places if p.pk not in paired]),
    )


def _pairs(places: list[Participant], now: datetime) -> list[tuple[PairLine, int]]:
    """The person's active pairs (a proposed pair is not theirs to know of yet), each with
    its next session: scheduled and not over, as the pair's workspace lists it."""
    by_id = {place.pk: place for place in places}
    if not by_id:
        return []
    pairs = list(
        Pair.objects.filter(
            Q(mentor__in=list(by_id)) | Q(mentee__in=list(by_id)), status=Pair.Status.ACTIVE
        )
        .select_related("mentor__employee", "mentee__employee")
        .only(
            "pk",
            "program_id",
            "mentor_id",
            "mentee_id",
            "published_at",
            "mentor__employee__name",
            "mentee__employee__name",
        )  # fmt: skip
        .order_by("-published_at", "pk")
    )
    upcoming: dict[int, datetime] = {}
    for pair_id, starts_at, minutes in (
        MentoringSession.objects.filter(
            pair__in=[pair.pk for pair in pairs],
            status=MentoringSession.Status.SCHEDULED,
            starts_at__gt=now - _LONGEST_SESSION,
        )
        .order_by("starts_at")
        .values_list("pair_id", "starts_at", "duration_minutes")
    ):
        if starts_at + timedelta(minutes=minutes) > now:
            upcoming.setdefault(pair_id, starts_at)
    found = []
    for pair in pairs:
        me, partner = (
            (pair.mentor, pair.mentee) if pair.mentor_id in by_id else (pair.mentee, pair.mentor)
        )
        me = by_id[me.pk]
        found.append(
            (
                PairLine(
                    pk=pair.pk,
                    program_name=me.program.name,
                    my_role_label=str(me.get_role_display()),
                    partner_name=partner.employee.name,
                    next_session=upcoming.get(pair.pk),
                    zone=zone_for(organization=me.organization, participant=me).key,
                ),
                me.pk,
            )
        )
    return found


def _surveys(places, now: datetime) -> list[SurveyLine]:
    """Open and unanswered, soonest to close first: what "My surveys" lists as open."""
    return [
        SurveyLine(a.pk, a.schedule.survey.title, a.schedule.cohort.program.name, a.closes_at)
        for a in Assignment.objects.filter(
            participant__in=places, answered=False, opens_at__lte=now, closes_at__gte=now
        )
        .select_related("schedule__survey", "schedule__cohort__program")
        .order_by("closes_at", "pk")
    ]


def _training(places: list[Participant]) -> list[TrainingLine]:
    """Per place that has applied and is not paired yet: the modules its role must finish
    before matching and has not. Two queries for all the places."""
    places = [
        p for p in places if p.status in (Participant.Status.APPLIED, Participant.Status.APPROVED)
    ]
    if not places:
        return []
    meant = Q()
    for place in places:  # each place's modules: its role's and everyone's
        audiences = [Audience.EVERYONE, AUDIENCE_OF_ROLE[place.role]]
        meant |= Q(program_id=place.program_id, audience__in=audiences)
    modules = list(
        TrainingModule.objects.filter(meant, required_before_matching=True)
        .order_by("position", "pk")
        .values_list("pk", "program_id", "audience", "title")
    )
    done = set(
        TrainingCompletion.objects.filter(participant__in=places).values_list(
            "participant_id", "module_id"
        )
    )
    found = []
    for place in places:
        audiences = {Audience.EVERYONE, AUDIENCE_OF_ROLE[place.role]}
        left = [
            title
            for pk, program_id, audience, title in modules
            if program_id == place.program_id
            and audience in audiences
            and (place.pk, pk) not in done
        ]
        if left:
            found.append(TrainingLine(place.pk, place.program.name, left))
    return found


# --- Results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsOverview:
    as_of: date | None
    tiles: list[Tile]
    threshold: int
    # When the snapshot was counted: the page says so, beside the live counts of the
    # programs section, so "20 active pairs" now and "Active pairs 18" last night are
    # read as what they are, not as a contradiction.
    counted: Counted | None = None


def results_section(
    *, organization: Organization, membership: Membership
) -> ResultsOverview | None:
    """A few headline figures of the organisation's latest snapshot, as the dashboard's
    tiles show them: the same measures, hidden by the same rule (reports.measures.shown)
    below the same threshold (organizations.suppression). One query. The organisation's figures sum
    every program: not for a program manager, whose dashboard is their programs'."""
    if not has_permission_everywhere(membership, "report.view"):
        return None
    least = report_min_group(organization)
    # The dashboard's latest snapshot of the organisation: what it published for each
    # measure (reports.publication), never its raw figures.
    latest = (
        Snapshot.objects.filter(
            organization=organization, scope=ORGANIZATION_SCOPE, day__lte=today(organization)
        )
        .order_by("-day")
        .values("day", "published", "computed_at")
        .first()
    )
    if latest is None:
        return ResultsOverview(None, [], least)
    tiles = [
        Tile(BY_KEY[key], shown(BY_KEY[key], latest["published"], least), None, "")
        for key in HEADLINE_MEASURES
    ]
    return ResultsOverview(
        latest["day"], tiles, least, counted(organization, latest["day"], latest["computed_at"])
    )
