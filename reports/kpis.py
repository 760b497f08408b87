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

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from directory.models import Employee, EmployeeDemographics, JobLevelChange
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
from sessions.cadence import ON_TRACK, cadence, days_between_sessions, pair_began
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

    @property
    def until(self) -> datetime:
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
    held = defaultdict(list)
    for pair_id, starts_at in MentoringSession.objects.filter(
        organization=asof.organization,
        status=MentoringSession.Status.HELD,
        starts_at__lt=asof.until,
        pair__in=[pair["id"] for pair in active],
    ).values_list("pair_id", "starts_at"):
        held[pair_id].append(starts_at)
    zone = asof.until.tzinfo
    for pair in active:
        per_month = pair["program__sessions_per_month"]
        # As the reminders and the manager's list count it (one rule, sessions.cadence).
        paired_at = pair_began(
            published_at=pair["published_at"], cohort_start=pair["cohort__start_date"], zone=zone
        )
        if (asof.until - paired_at).days < days_between_sessions(per_month):
            continue
        state = cadence(
            now=asof.until,
            paired_at=paired_at,
            held_starts=held[pair["id"]],
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
    approved = list(
        Participant.objects.filter(
            organization=asof.organization,
            status=Participant.Status.APPROVED,
            decided_at__lt=asof.until,
        ).only("id", "cohort_id", "program_id", "role")
    )
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


def _first_change_after(organization: Organization, day: date):
    """The ids of each employee's first job-level change after ``day`` (by date, then id),
    ranked once over the organisation's history. A window rank rather than PostgreSQL's
    DISTINCT ON, so that SQLite runs the same query."""
    ranked = JobLevelChange.objects.filter(organization=organization, changed_on__gt=day).annotate(
        rank=Window(RowNumber(), partition_by=[F("employee_id")], order_by=["changed_on", "pk"])
    )
    return ranked.filter(rank=1).order_by().values("pk")


def _level_on() -> Coalesce:
    """An employee's job level on the day ``_people_on`` joined ``first_later`` for: the
    level the first later change started from, else today's level."""
    return Coalesce("first_later__from_level", "job_level", Value(-1), output_field=IntegerField())


def _promoted_between(start: date, end: date):
    return Exists(
        JobLevelChange.objects.filter(
            employee=OuterRef("pk"),
            changed_on__gt=start,
            changed_on__lte=end,
            from_level__isnull=False,  # a first recorded level is no promotion
            to_level__gt=F("from_level"),
        )
    )


def _people_on(organization, start: date, end: date, employees=None):
    """Employees employed on ``start``: their department and level then, whether they
    were still employed on ``end`` and whether their level rose in between."""
    people = Employee.objects.filter(organization=organization).filter(_employed_on(start))
    if employees is not None:
        people = people.filter(pk__in=employees)
    # A join to the pre-aggregate (one row per employee at most), not a subquery per
    # employee: at 50,000 employees that one made the retention comparison about twice as
    # slow, and with PostgreSQL's JIT on, 5-8 times (issue 19).
    first_later = FilteredRelation(
        "level_changes",
        condition=Q(level_changes__pk__in=Subquery(_first_change_after(organization, start))),
    )
    return people.annotate(first_later=first_later).annotate(
        level_then=_level_on(),
        promoted=_promoted_between(start, end),
    )


def retention(asof: AsOf) -> dict[int, Figures]:
    """Retention and promotion against non-participants, per cohort that has started.

    The window runs from the cohort's start date for 12 months, or to the day if that
    comes first. People: participants approved by the day and employed on the start
    date. The comparison group: employees of the same department and job level on the
    start date who were not approved participants of any program by the day; a
    department-and-level cell counts only with at least the reports' threshold of such
    colleagues (a smaller one would describe a handful of people): the standardisation is
    reports.formulas.standardised_retention, this reads its rows.
    ``retention_people``: the participants whose cell counts; ``retention_kept``: of
    them, those still employed at the window's end; ``retention_expected``: how many of
    them the comparison group's rate, cell by cell, would have kept (a directly
    standardised rate); ``retention_comparison``: the comparison colleagues in those
    cells. ``promotion_*``: the same for mentors, counting a rise in job level inside the
    window (from the directory's level history). Departments are today's: the directory
    keeps no history of them."""
    organization = asof.organization
    least = report_min_group(organization)
    figures = _per_cohort()
    participants = Participant.objects.filter(
        organization=organization,
        status=Participant.Status.APPROVED,
        decided_at__lt=asof.until,
    )
    taking_part = participants.filter(employee=OuterRef("pk"))
    by_cohort = defaultdict(list)
    for cohort, start, employee, role in participants.filter(
        cohort__start_date__lte=asof.day
    ).values_list("cohort_id", "cohort__start_date", "employee_id", "role"):
        by_cohort[cohort, start].append((employee, role))
    comparison_by_start = {}
    for cohort, start in by_cohort:
        end = min(start + timedelta(days=RETENTION_DAYS), asof.day)
        if start not in comparison_by_start:
            rows = (
                _people_on(organization, start, end)
                .exclude(Exists(taking_part))
                .values("department_id", "level_then")
                .annotate(
                    n=Count("id"),
                    kept=Count("id", filter=~Q(termination_date__lte=end)),
                    promoted_n=Count("id", filter=Q(promoted=True)),
                )
            )
            comparison_by_start[start] = {
                (row["department_id"], row["level_then"]): ComparisonCell(
                    row["n"], row["kept"], row["promoted_n"]
                )
                for row in rows
            }
        roles = dict(by_cohort[cohort, start])
        people = _people_on(organization, start, end, employees=list(roles)).values_list(
            "id", "department_id", "level_then", "termination_date", "promoted"
        )
        taking = [
            Participation(
                cell=(department, level),
                kept=left is None or left > end,
                promoted=promoted,
                mentor=roles[employee] == Participant.Role.MENTOR,
            )
            for employee, department, level, left, promoted in people
        ]
        add(figures[cohort], standardised_retention(taking, comparison_by_start[start], least))
    return figures


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
    found: Figures = {"workforce": employed.count(), "workforce_inclusion": {}}
    for dimension in CATEGORY_DIMENSIONS:
        rows = (
            EmployeeDemographics.objects.filter(
                organization=organization, employee__in=employed.values("pk")
            )
            .exclude(**{dimension: ""})
            .values(dimension)
            .annotate(n=Count("id"))
        )
        found["workforce_inclusion"][dimension] = {row[dimension]: row["n"] for row in rows}
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


def figures_on(organization: Organization, day: date) -> dict[str, tuple]:
    """Every scope's figures as of the end of ``day``: {scope: (program id, cohort id,
    figures)}. A program's figures are the sum of its cohorts' plus its own; the
    organisation's, the sum of its programs' plus the workforce."""
    asof = AsOf(organization, day)
    cohorts = dict(Cohort.objects.filter(organization=organization).values_list("pk", "program_id"))
    per_cohort = defaultdict(dict)
    for kpi in COHORT_KPIS:
        for cohort, found in kpi(asof).items():
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
