"""The KPI queries: what each KPI reads, as of the end of one day, per cohort.

Each function fetches plain numbers and rows and hands them to its formula
(reports.formulas, pure and tested on plain numbers), which returns raw, additive figures
per cohort (numerators and denominators, never percentages), so a program's or the
organisation's figure is the sum of its cohorts' (``figures_on``) and a percentage is
taken only when a figure is shown (reports.measures). Each reads only rows dated on or
before the day, so computing a past day again gives the same numbers, except where a
docstring says it reads a current state the database keeps no history of.

The period of every KPI is "everything up to the end of the day" unless its docstring
says otherwise; "the day" is a date in the organisation's time zone.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

import numpy as np
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    Value,
    When,
)

from directory.models import DirectoryImport, Employee, EmployeeDemographics, JobLevelChange
from matching.models import Pair
from organizations.models import Organization
from organizations.suppression import report_min_group
from programs.models import Cohort, Participant
from programs.training import training_progress
from reports.formulas import (
    CATEGORY_DIMENSIONS,
    ComparisonCell,
    Figures,
    Participation,
    Taking,
    add,
    generation,
    nps_figures,
    pair_figures,
    participation,
    people_in_pairs,
    satisfaction_figures,
    skills_figures,
    standardised_retention,
    training_figures,
)
from reports.models import ORGANIZATION_SCOPE, cohort_scope, program_scope
from sessions.cadence import ON_TRACK, cadence_of_count, days_between_sessions, pair_began
from sessions.models import Commitment, Goal, MentoringSession
from surveys.models import Answer, Concern, Question, Survey
from surveys.services import iso_week

RETENTION_DAYS = 365


@dataclass(frozen=True)
class AsOf:
    """The end of ``day`` in the organisation's time zone: rows stamped before ``until``
    count."""

    organization: Organization
    day: date

    @cached_property
    def until(self) -> datetime:
        # Kept once worked out: KPIs read it for every pair and person they count.
        zone = self.organization.zone
        return datetime.combine(self.day + timedelta(days=1), time.min, tzinfo=zone)

    @property
    def week(self) -> str:
        """The ISO week of the day (in UTC, as answers are stamped). Survey KPIs count the
        weeks before it: an anonymous answer keeps only its week, so only complete weeks
        give the same numbers when the day is computed again."""
        return iso_week(self.until - timedelta(seconds=1))


def _per_cohort() -> defaultdict:
    return defaultdict(dict)


def _started_pairs(asof: AsOf):
    """Pairs published by the day (active then, or ended since)."""
    return Pair.objects.filter(
        organization=asof.organization,
        published_at__lt=asof.until,
        status__in=[Pair.Status.ACTIVE, Pair.Status.ENDED],
    )


def _active_pairs(asof: AsOf):
    return _started_pairs(asof).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=asof.until))


# --- Enrolment and pairs ------------------------------------------------------------------


def enrolment(asof: AsOf) -> dict[int, Figures]:
    """Enrolment funnel. ``invited``: people who entered the cohort's funnel (invited by a
    program manager or nominating themselves) by the day; ``applied``: of them, those who
    sent their profile by the day; ``approved``: those approved by the day and still
    approved now (a withdrawal or rejection keeps no date of its own); ``active``: people
    in a pair that was active at the end of the day."""
    figures = _per_cohort()
    rows = (
        Participant.objects.filter(organization=asof.organization)
        .values("cohort_id")
        .annotate(
            invited=Count("id", filter=Q(invited_at__lt=asof.until)),
            applied=Count("id", filter=Q(applied_at__lt=asof.until)),
            approved=Count(
                "id",
                filter=Q(status=Participant.Status.APPROVED, decided_at__lt=asof.until),
            ),
        )
    )
    for row in rows:
        cohort = row.pop("cohort_id")
        figures[cohort].update(row)
    active = _active_pairs(asof).values_list("cohort_id", "mentor_id", "mentee_id")
    for cohort, people in people_in_pairs(active).items():
        figures[cohort]["active"] = people
    return figures


def pairs(asof: AsOf) -> dict[int, Figures]:
    """``pairs_active``: pairs active at the end of the day. ``pairs_started``: pairs
    published by the day. ``pairs_cross_department``: of the started pairs, those whose
    two people work in different departments (both known). ``network``: started pairs
    across departments, counted per pair of departments ("A|B", alphabetical)."""
    rows = _started_pairs(asof).values_list(
        "cohort_id",
        "ended_at",
        "mentor__employee__department__name",
        "mentee__employee__department__name",
    )
    return pair_figures(
        (cohort, ended is None or ended >= asof.until, one, other)
        for cohort, ended, one, other in rows
    )


# --- Sessions, cadence, training ----------------------------------------------------------


def sessions(asof: AsOf) -> dict[int, Figures]:
    """``sessions_held``: sessions logged as held that started by the end of the day.
    ``sessions_planned``: the program's planned number of sessions for every pair started
    by the day."""
    figures = _per_cohort()
    held = (
        MentoringSession.objects.filter(
            organization=asof.organization,
            status=MentoringSession.Status.HELD,
            starts_at__lt=asof.until,
        )
        .values("pair__cohort_id")
        .annotate(n=Count("id"))
    )
    for row in held:
        figures[row["pair__cohort_id"]]["sessions_held"] = row["n"]
    planned = (
        _started_pairs(asof)
        .values("cohort_id", "program__planned_sessions")
        .annotate(n=Count("id"))
    )
    for row in planned:
        add(
            figures[row["cohort_id"]],
            {"sessions_planned": row["n"] * row["program__planned_sessions"]},
        )
    return figures


def cadence_kept(asof: AsOf) -> dict[int, Figures]:
    """``cadence_judged``: pairs active at the end of the day and paired (from the later
    of publishing and the cohort's start) for at least one of the program's intervals
    between sessions. ``cadence_kept``: of them, those on
    track by ``sessions.cadence.cadence`` as of that moment: no more than one session
    behind the program's rhythm, and a session held within two intervals (a booking
    does not count here: a past day's bookings are not kept)."""
    figures = _per_cohort()
    active = list(
        _active_pairs(asof).values(
            "id",
            "cohort_id",
            "published_at",
            "cohort__start_date",
            "program__sessions_per_month",
            "program__planned_sessions",
        )
    )
    # How many held and the last one, per pair, counted in SQL: all ``cadence`` reads.
    held = {
        row["pair_id"]: (row["n"], row["last"])
        for row in MentoringSession.objects.filter(
            organization=asof.organization,
            status=MentoringSession.Status.HELD,
            starts_at__lt=asof.until,
            pair__in=_active_pairs(asof).values("pk"),
        )
        .values("pair_id")
        .annotate(n=Count("pk"), last=Max("starts_at"))
        .order_by()
    }
    zone = asof.until.tzinfo
    for pair in active:
        per_month = pair["program__sessions_per_month"]
        # As the reminders and the manager's list count it (one rule, sessions.cadence).
        paired_at = pair_began(
            published_at=pair["published_at"], cohort_start=pair["cohort__start_date"], zone=zone
        )
        if (asof.until - paired_at).days < days_between_sessions(per_month):
            continue
        count, last = held.get(pair["id"], (0, None))
        state = cadence_of_count(
            now=asof.until,
            paired_at=paired_at,
            held=count,
            last=last,
            next_scheduled=None,
            sessions_per_month=per_month,
            planned=pair["program__planned_sessions"],
        )
        add(
            figures[pair["cohort_id"]],
            {"cadence_judged": 1, "cadence_kept": int(state.status == ON_TRACK)},
        )
    return figures


def training(asof: AsOf) -> dict[int, Figures]:
    """``training_people``: participants approved by the day whose role has modules
    required before matching. ``training_complete``: of them, those trained by the day
    (programs.training.TRAINED_MEANS, with the modules as the program has them now)."""
    approved = Participant.objects.filter(
        organization=asof.organization,
        status=Participant.Status.APPROVED,
        decided_at__lt=asof.until,
    ).values_list("pk", "cohort_id", "program_id", "role", named=True)
    # Rows, not model instances (ten thousand of them at 50,000 employees); the queryset
    # itself, not a list, so that the completions read its ids as a subquery.
    progress = training_progress(approved, by=asof.until)
    return training_figures((p.cohort_id, *progress[p.pk]) for p in approved)


# --- Goals and commitments ----------------------------------------------------------------


def goals(asof: AsOf) -> dict[int, Figures]:
    """``goals_set``: goals and action items created by the day; ``goals_done``: of
    them, those marked done by the day."""
    figures = _per_cohort()
    rows = (
        Goal.objects.filter(organization=asof.organization, created_at__lt=asof.until)
        .values("pair__cohort_id")
        .annotate(
            goals_set=Count("id"),
            goals_done=Count("id", filter=Q(status=Goal.Status.DONE, done_at__lt=asof.until)),
        )
    )
    for row in rows:
        figures[row.pop("pair__cohort_id")].update(row)
    return figures


def commitments(asof: AsOf) -> dict[int, Figures]:
    """Per theme: ``made``, commitments the senior people recorded by the day; ``kept``,
    of them those done, ``dropped`` those dropped (their current status: a commitment
    keeps no date for its status)."""
    figures = _per_cohort()
    rows = (
        Commitment.objects.filter(organization=asof.organization, created_at__lt=asof.until)
        .values("pair__cohort_id", "theme")
        .annotate(
            made=Count("id"),
            kept=Count("id", filter=Q(status=Commitment.Status.DONE)),
            dropped=Count("id", filter=Q(status=Commitment.Status.DROPPED)),
        )
    )
    for row in rows:
        theme = row["theme"]
        add(
            figures[row["pair__cohort_id"]],
            {"commitments": {theme: {k: row[k] for k in ("made", "kept", "dropped")}}},
        )
    return figures


# --- Surveys ------------------------------------------------------------------------------


def _answers(asof: AsOf, kinds, question_type):
    return Answer.objects.filter(
        organization=asof.organization,
        question__survey__kind__in=kinds,
        question__type=question_type,
        response__week__lt=asof.week,
    )


def satisfaction(asof: AsOf) -> dict[int, Figures]:
    """``satisfaction_answers``: answers to the end-of-program survey's first agreement
    question ("Overall, I am satisfied"), received in the weeks before the day's (anonymous
    answers carry only their week); ``satisfied``: of them, those at 4 or 5 of 5."""
    firsts = {}
    for question_id, survey_id in (
        Question.objects.filter(
            organization=asof.organization,
            survey__kind=Survey.Kind.END,
            type=Question.Type.AGREEMENT,
        )
        .order_by("survey_id", "position", "pk")
        .values_list("pk", "survey_id")
    ):
        firsts.setdefault(survey_id, question_id)
    rows = (
        _answers(asof, [Survey.Kind.END], Question.Type.AGREEMENT)
        .filter(question_id__in=firsts.values())
        .values("response__cohort_id", "value")
        .annotate(n=Count("id"))
    )
    return satisfaction_figures(
        (row["response__cohort_id"], row["value"], row["n"]) for row in rows
    )


def nps(asof: AsOf) -> dict[int, Figures]:
    """Net promoter score from the end-of-program survey's 0 to 10 question, answers
    received in the weeks before the day's: ``nps_answers``, ``promoters`` (9 or 10) and
    ``detractors`` (0 to 6). NPS is promoters' share minus detractors' share, x100."""
    rows = (
        _answers(asof, [Survey.Kind.END], Question.Type.NPS)
        .values("response__cohort_id", "value")
        .annotate(n=Count("id"))
    )
    return nps_figures((row["response__cohort_id"], row["value"], row["n"]) for row in rows)


def skills(asof: AsOf) -> dict[int, Figures]:
    """Skill self-ratings (1 to 5) per role and topic, from the baseline and the
    end-of-program surveys' skill grids, answers received in the weeks before the day's:
    ``skills[role][topic id]`` holds ``baseline_sum``, ``baseline_n``, ``end_sum``,
    ``end_n``. Growth is the mean at the end minus the mean at the baseline: anonymous
    answers cannot be paired person by person, so it compares the two groups."""
    stage = {Survey.Kind.BASELINE: "baseline", Survey.Kind.END: "end"}
    rows = _answers(asof, list(stage), Question.Type.SKILLS).values_list(
        "response__cohort_id", "response__role", "question__survey__kind", "value"
    )
    return skills_figures(
        (cohort, role, stage[kind], value)
        for cohort, role, kind, value in rows.iterator(chunk_size=5000)
    )


def concerns(asof: AsOf) -> dict[int, Figures]:
    """Per program (a concern names no cohort): ``concerns_raised`` in the weeks before the day's,
    ``concerns_resolved`` of them (their current status)."""
    figures = defaultdict(dict)
    rows = (
        Concern.objects.filter(organization=asof.organization, week__lt=asof.week)
        .values("program_id")
        .annotate(
            concerns_raised=Count("id"),
            concerns_resolved=Count("id", filter=Q(status=Concern.Status.RESOLVED)),
        )
    )
    for row in rows:
        figures[row.pop("program_id")].update(row)
    return figures


# --- People: retention, promotion, inclusion, breakdowns ----------------------------------


def _employed_on(day: date) -> Q:
    """On the roster that day: hired by then (or hire date unknown) and not yet gone."""
    hired = Q(hire_date__lte=day) | Q(hire_date__isnull=True)
    return hired & (Q(termination_date__isnull=True) | Q(termination_date__gt=day))


def retention_window(start: date, day: date) -> date:
    """The last day of a retention window that opened on ``start``, as of ``day``."""
    return min(start + timedelta(days=RETENTION_DAYS), day)


def retention_closed(start: date, day: date) -> bool:
    """Whether the window that opened on ``start`` had run its 12 months by ``day``: then
    every later day counts it alike (``retention``), so its figures may be kept."""
    return start + timedelta(days=RETENTION_DAYS) <= day


def _position(field: str, lookup: str, bounds: list, *, none: int) -> Case:
    """In SQL: the first of the sorted ``bounds`` the field's value is ``lookup`` ("lte",
    "lt") of, ``len(bounds)`` if none, ``none`` where the field is empty. It folds a date
    into the few positions that matter for a set of windows, so that the roster is
    counted once for all of them rather than once per window."""
    return Case(
        When(**{f"{field}__isnull": True}, then=Value(none)),
        *(When(**{f"{field}__{lookup}": bound}, then=Value(n)) for n, bound in enumerate(bounds)),
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class _Windows:
    """The retention windows of a set of start dates as of a day, and the positions
    (``_position``) of a row's dates that tell, for each window ``i``, whether the person
    was on the roster on its start date (``on_roster``), still on it at its end (``kept``)
    and an approved participant by its end (``approved``)."""

    starts: list[date]  # sorted
    ends: list[date]  # per start
    bounds: list[date]  # every start and end, sorted
    untils: list[datetime]  # every window's end of its last day, sorted
    start_at: list[int]  # per window: its start's place in bounds
    end_at: list[int]  # per window: its end's place in bounds
    until_at: list[int]  # per window: its end's place in untils

    @classmethod
    def of(cls, asof: AsOf, starts) -> "_Windows":
        starts = sorted(set(starts))
        ends = [retention_window(start, asof.day) for start in starts]
        bounds = sorted(set(starts) | set(ends))
        until_of = [AsOf(asof.organization, end).until for end in ends]
        untils = sorted(set(until_of))
        return cls(
            starts,
            ends,
            bounds,
            untils,
            [bounds.index(start) for start in starts],
            [bounds.index(end) for end in ends],
            [untils.index(until) for until in until_of],
        )

    def hired(self, field: str) -> Case:
        # hired on or before starts[i] <=> the position is at most i
        return _position(field, "lte", self.starts, none=0)

    def left(self, field: str) -> Case:
        # still employed on bounds[j] <=> the termination comes after it: position > j
        return _position(field, "lte", self.bounds, none=len(self.bounds))

    def decided(self, field: str) -> Case:
        # approved by the end of window i <=> decided before it: position <= until_at[i]
        return _position(field, "lt", self.untils, none=len(self.untils))

    def on_roster(self, i: int, hired: int, left: int) -> bool:
        return hired <= i and left > self.start_at[i]

    def kept(self, i: int, left: int) -> bool:
        return left > self.end_at[i]

    def approved(self, i: int, decided: int) -> bool:
        return decided <= self.until_at[i]


def _standing(windows: _Windows, i: int, person: tuple, changes) -> tuple | None:
    """A person in window ``i`` (``person``: department, today's level, hired and left
    positions): None when not on the roster on its start date, else ((department, level
    on the start date), kept to its end, promoted in it). ``changes``: the person's level
    changes after the earliest start, in order (date, from, to)."""
    department, level, hired, left = person
    if not windows.on_roster(i, hired, left):
        return None
    start, end = windows.starts[i], windows.ends[i]
    # One pass over the (dated, sorted) changes: this runs for every person whose level
    # moved, in every window.
    promoted, later = False, False
    for on, old, new in changes:
        if on <= start:
            continue
        if not later:
            later = True
            if old is not None:
                level = old  # the level the first later change started from
        if on > end:
            break
        if old is not None and new > old:
            promoted = True
            break
    return (department, -1 if level is None else level), windows.kept(i, left), promoted


def retention(asof: AsOf, frozen: dict[int, Figures] | None = None) -> dict[int, Figures]:
    """Retention and promotion against non-participants, per cohort that has started.

    The window runs from the cohort's start date for 12 months, or to the day if that
    comes first. People: participants approved by the window's end and employed on the
    start date. The comparison group: employees of the same department and job level on
    the start date who were not approved participants of any program by the window's end
    (so a window that has closed counts alike on every later day, and its figures can be
    kept: ``frozen``, {cohort id: figures}, are taken as given, reports.services); a
    department-and-level cell counts only with at least the reports' threshold of such
    colleagues (a smaller one would describe a handful of people): the standardisation is
    reports.formulas.standardised_retention, this reads its rows.
    ``retention_people``: the participants whose cell counts; ``retention_kept``: of
    them, those still employed at the window's end; ``retention_expected``: how many of
    them the comparison group's rate, cell by cell, would have kept (a directly
    standardised rate); ``retention_comparison``: the comparison colleagues in those
    cells. ``promotion_*``: the same for mentors, counting a rise in job level inside the
    window (from the directory's level history). Departments are today's: the directory
    keeps no history of them.

    Every window is counted from three queries whatever the number of cohorts (issue 19):
    the roster folded to counts per department, level and the positions of its dates
    among the windows' bounds (one row per employee only for those whose level changed
    after the earliest start), the approved participants, and those level changes."""
    organization = asof.organization
    frozen = frozen or {}
    figures = _per_cohort()
    figures.update({cohort: dict(found) for cohort, found in frozen.items()})
    cohorts = dict(
        Cohort.objects.filter(organization=organization, start_date__lte=asof.day)
        .exclude(pk__in=list(frozen))
        .values_list("pk", "start_date")
    )
    comparison, taking = retention_rows(asof, cohorts)
    least = report_min_group(organization)
    for cohort, start in cohorts.items():
        add(figures[cohort], standardised_retention(taking[cohort], comparison[start], least))
    return figures


def retention_rows(asof: AsOf, cohorts: dict[int, date]) -> tuple[dict, dict]:
    """What ``retention`` standardises, for ``cohorts`` ({id: start date}): the comparison
    group's cells per start date, {start: {(department, level then): ComparisonCell}},
    and each cohort's participants, {cohort: [Participation]}."""
    comparison, taking = {}, defaultdict(list)
    if not cohorts:
        return comparison, taking
    organization = asof.organization
    windows = _Windows.of(asof, cohorts.values())
    first, last = windows.starts[0], windows.starts[-1]
    changes = defaultdict(list)
    for employee, on, old, new in (
        JobLevelChange.objects.filter(organization=organization, changed_on__gt=first)
        .order_by("employee_id", "changed_on", "pk")
        .values_list("employee_id", "changed_on", "from_level", "to_level")
    ):
        changes[employee].append((on, old, new))
    # Who was an approved participant by each window's end, and whose level moved after
    # the earliest start (counted one by one): lists the database builds once (hashed),
    # not a subquery per employee.
    approved_by = [
        Participant.objects.filter(
            organization=organization, status=Participant.Status.APPROVED, decided_at__lt=until
        ).values("employee_id")
        for until in windows.untils
    ]
    moved = JobLevelChange.objects.filter(organization=organization, changed_on__gt=first)
    roster = (
        Employee.objects.filter(organization=organization)
        .filter(Q(hire_date__isnull=True) | Q(hire_date__lte=last))
        .filter(Q(termination_date__isnull=True) | Q(termination_date__gt=first))
        .annotate(
            hired=windows.hired("hire_date"),
            left=windows.left("termination_date"),
            # The first window end by which they were approved (``_Windows.decided``).
            decided=Case(
                *(When(pk__in=ids, then=Value(n)) for n, ids in enumerate(approved_by)),
                default=Value(len(approved_by)),
                output_field=IntegerField(),
            ),
            alone=Case(
                When(pk__in=moved.values("employee_id"), then=F("pk")),
                default=None,
            ),
        )
        .values_list("department_id", "job_level", "hired", "left", "decided", "alone")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # The roster's groups as columns (numpy), and their cells numbered: each window then
    # counts them in a few array operations rather than a Python loop over every group in
    # every window (issue 19).
    cell_number, plain, alone = {}, [], []
    for department, level, hired, left, decided, one, n in roster:
        if one is None:
            cell = (department, -1 if level is None else level)
            plain.append((cell_number.setdefault(cell, len(cell_number)), hired, left, decided, n))
        else:
            alone.append(((department, level, hired, left), decided, changes[one]))
    cell_of = list(cell_number)
    group_cell, group_hired, group_left, group_decided, group_n = (
        (np.array(column, dtype=np.int64).reshape(-1) for column in zip(*plain, strict=True))
        if plain
        else (np.zeros(0, dtype=np.int64) for _ in range(5))
    )
    for i, start in enumerate(windows.starts):
        cells = defaultdict(lambda: [0, 0, 0])
        # The tests of _Windows.on_roster, approved and kept, on the columns.
        start_at, end_at, until_at = windows.start_at[i], windows.end_at[i], windows.until_at[i]
        counted = (group_hired <= i) & (group_left > start_at) & (group_decided > until_at)
        kept = counted & (group_left > end_at)
        people = np.bincount(group_cell[counted], group_n[counted], minlength=len(cell_of))
        stayed = np.bincount(group_cell[kept], group_n[kept], minlength=len(cell_of))
        for number in np.flatnonzero(people):
            cells[cell_of[number]] = [int(people[number]), int(stayed[number]), 0]
        for person, decided, history in alone:
            if windows.approved(i, decided):
                continue
            standing = _standing(windows, i, person, history)
            if standing is not None:
                cell, kept, promoted = standing
                counts = cells[cell]
                counts[0] += 1
                counts[1] += kept
                counts[2] += promoted
        comparison[start] = {cell: ComparisonCell(*counts) for cell, counts in cells.items()}
    # The cohorts' own participants, approved by their window's end.
    at = {start: i for i, start in enumerate(windows.starts)}
    approved = (
        Participant.objects.filter(
            organization=organization,
            status=Participant.Status.APPROVED,
            cohort__in=list(cohorts),
            decided_at__lt=windows.untils[-1],
        )
        .annotate(
            decided=windows.decided("decided_at"),
            hired=windows.hired("employee__hire_date"),
            left=windows.left("employee__termination_date"),
        )
        .values_list(
            "cohort_id", "role", "employee_id", "decided", "employee__department_id",
            "employee__job_level", "hired", "left",
        )
    )  # fmt: skip
    in_cohort = defaultdict(dict)  # one row a person, as a cohort has them
    for cohort, role, employee, decided, department, level, hired, left in approved:
        in_cohort[cohort][employee] = (role, decided, (department, level, hired, left))
    for cohort, start in cohorts.items():
        i = at[start]
        for employee, (role, decided, person) in in_cohort[cohort].items():
            if not windows.approved(i, decided):
                continue
            standing = _standing(windows, i, person, changes.get(employee, ()))
            if standing is not None:
                cell, kept, promoted = standing
                taking[cohort].append(
                    Participation(cell, kept, promoted, role == Participant.Role.MENTOR)
                )
    return comparison, taking


def retention_inputs(organization: Organization, cohorts) -> dict[int, dict]:
    """What the retention of ``cohorts`` (ids) was counted from, in short, per cohort: a
    kept figure (reports.models.FrozenRetention) whose inputs differ is counted again.
    The reports' threshold; the directory's employees (how many, the latest added, the
    latest edited), its level history and the latest HR import applied (an import writes
    in bulk, which leaves no edit time); the cohort's participants (how many, the latest
    changed). Four small queries, whatever the number of cohorts."""
    employees = Employee.objects.filter(organization=organization).aggregate(
        n=Count("pk"), last=Max("pk"), edited=Max("updated_at")
    )
    history = JobLevelChange.objects.filter(organization=organization).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    imported = DirectoryImport.objects.filter(
        organization=organization, status=DirectoryImport.Status.APPLIED
    ).aggregate(last=Max("pk"))["last"]
    directory = [
        employees["n"],
        employees["last"],
        employees["edited"].isoformat() if employees["edited"] else None,
        history["n"],
        history["last"],
        imported,
    ]
    participants = {
        row["cohort_id"]: [row["n"], row["changed"].isoformat() if row["changed"] else None]
        for row in Participant.objects.filter(organization=organization, cohort__in=list(cohorts))
        .values("cohort_id")
        .annotate(n=Count("pk"), changed=Max("updated_at"))
        .order_by()
    }
    least = report_min_group(organization)
    return {
        cohort: {
            "least": least,
            "directory": directory,
            "participants": participants.get(cohort, [0, None]),
        }
        for cohort in cohorts
    }


def taking_part(asof: AsOf) -> list[Taking]:
    """Every participation approved by the day, with the person's department and level
    today (the directory keeps no history of departments) and self-identified answers."""
    approved = Participant.objects.filter(
        organization=asof.organization,
        status=Participant.Status.APPROVED,
        decided_at__lt=asof.until,
    )
    answers = {}
    for row in EmployeeDemographics.objects.filter(
        organization=asof.organization, employee__in=approved.values("employee_id")
    ).values("employee_id", *CATEGORY_DIMENSIONS):
        employee = row.pop("employee_id")
        answers[employee] = tuple((name, value) for name, value in row.items() if value)
    rows = approved.values_list(
        "cohort_id",
        "program_id",
        "employee_id",
        "role",
        "employee__department__name",
        "employee__job_level",
        "employee__birth_year",
    )
    return [
        Taking(
            cohort,
            program,
            employee,
            role,
            department or "unknown",
            str(level) if level is not None else "unknown",
            generation(birth_year),
            answers.get(employee, ()),
        )
        for cohort, program, employee, role, department, level, birth_year in rows
    ]


def workforce(organization: Organization, day: date) -> Figures:
    """The organisation's employees on the day, for comparison with who takes part:
    ``workforce`` (employed), and ``workforce_inclusion`` per self-identified dimension
    (categories only) over those who chose to answer."""
    employed = Employee.objects.filter(organization=organization).filter(_employed_on(day))
    found: Figures = {
        "workforce": employed.count(),
        "workforce_inclusion": {dimension: {} for dimension in CATEGORY_DIMENSIONS},
    }
    # One pass over the answers, counted per combination of them (a few dozen rows),
    # then per dimension: not a scan of the roster per dimension.
    rows = (
        EmployeeDemographics.objects.filter(
            organization=organization, employee__in=employed.values("pk")
        )
        .values_list(*CATEGORY_DIMENSIONS)
        .annotate(n=Count("id"))
        .order_by()
    )
    for *answers, n in rows:
        for dimension, answer in zip(CATEGORY_DIMENSIONS, answers, strict=True):
            if answer:  # "" is no answer
                counts = found["workforce_inclusion"][dimension]
                counts[answer] = counts.get(answer, 0) + n
    return found


COHORT_KPIS = (
    enrolment,
    pairs,
    sessions,
    cadence_kept,
    training,
    goals,
    commitments,
    satisfaction,
    nps,
    skills,
    retention,
)
PROGRAM_KPIS = (concerns,)


def figures_on(
    organization: Organization, day: date, *, frozen: dict[int, Figures] | None = None
) -> dict[str, tuple]:
    """Every scope's figures as of the end of ``day``: {scope: (program id, cohort id,
    figures)}. A program's figures are the sum of its cohorts' plus its own; the
    organisation's, the sum of its programs' plus the workforce. ``frozen``: closed
    retention windows' figures per cohort, taken as they are (``retention``)."""
    asof = AsOf(organization, day)
    cohorts = dict(Cohort.objects.filter(organization=organization).values_list("pk", "program_id"))
    per_cohort = defaultdict(dict)
    for kpi in COHORT_KPIS:
        found_by_cohort = kpi(asof, frozen) if kpi is retention else kpi(asof)
        for cohort, found in found_by_cohort.items():
            add(per_cohort[cohort], found)
    per_program = defaultdict(dict)
    for cohort, program in cohorts.items():
        add(per_program[program], per_cohort[cohort])
    for kpi in PROGRAM_KPIS:
        for program, found in kpi(asof).items():
            add(per_program[program], found)
    whole = workforce(organization, day)
    for found in per_program.values():
        add(whole, found)
    # Who takes part is counted per scope, not summed: one person in two cohorts is
    # still one person.
    taking = taking_part(asof)
    in_cohort, in_program = defaultdict(list), defaultdict(list)
    for one in taking:
        in_cohort[one.cohort].append(one)
        in_program[one.program].append(one)
    for cohort in cohorts:
        per_cohort[cohort].update(participation(in_cohort[cohort]))
    for program in set(cohorts.values()):
        per_program[program].update(participation(in_program[program]))
    whole.update(participation(taking))
    scopes = {ORGANIZATION_SCOPE: (None, None, whole)}
    for program in set(cohorts.values()):
        scopes[program_scope(program)] = (program, None, per_program[program])
    for cohort, program in cohorts.items():
        scopes[cohort_scope(cohort)] = (program, cohort, per_cohort[cohort])
    return scopes
