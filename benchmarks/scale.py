"""One large organisation, made in minutes, for measuring the reports at the scale issue 10
asks for: 50,000 employees, 5,000 pairs, 100,000 sessions and 500,000 survey answers.

Why not the demo builders: they go through the services one person and one session at a
time and tell a small story. This writes in bulk, batch by batch, so memory stays bounded
whatever the size, and reuses what the product itself starts from: the topic catalogue's
suggestions, each program's default training (``program_seed_defaults``), the survey
library's baseline, pulse and end-of-program surveys, and the demo's names and texts.

The shape, for the KPIs (``reports.kpis``) to find what they read:

- the directory: about 40 departments in five divisions, reporting lines up to a chief
  executive, job levels 1 to 9, hire dates over 15 years, about 12% who left in the last
  two years, birth years 1960 to 2004, about 30% with self-identified demographics
  (consent given), and promotions in the last two years for about 8% (the level history);
- five programs of two or three cohorts each, started over the last 18 months, some
  ended; every pair's two people approved (invited, applied and decided before the start),
  plus some invited, declined and withdrawn people, as a real funnel has; training;
- a published match run per cohort; pairs active or ended, mostly across departments;
- sessions over the pairs' lives at the program's rhythm, mostly held, some cancelled or
  not held, a booking ahead for most active pairs, a few pairs gone quiet; reflections
  with ratings, goals, commitments and a few concerns;
- the baseline (attributed: skills grid), the pulse after each held session (anonymous;
  the bulk of the answers) and the end-of-program survey (anonymous: satisfaction, NPS,
  skills grid) scheduled per cohort, with the assignments and the responses.

The pulse: the library's has two questions, which cannot carry 500,000 answers on
100,000 sessions (two people a session). Each program's copy therefore also asks two of
the library's midpoint questions after every session, as a program manager may add.

Participants are chosen with a slight lean towards those who stayed and, for mentors,
those promoted afterwards, so that retention and promotion show an effect to report.

Writing: one transaction, inside the organisation's tenant context. On PostgreSQL a COPY
(as the tables' owner or a superuser), or one INSERT of column arrays per batch where
row-level security applies to the role (PostgreSQL refuses COPY FROM there); on SQLite
``bulk_create``. The foreign keys are deferred, so the database checks them all at
commit: at full size that is the longest step. Three logins come with it (admin@,
manager@ and exec@<slug>.example, no password) for tests and benchmarks to sign in as.

History: rows carry the moments they happened. ``bulk_create`` would stamp
``auto_now_add`` fields with the moment it runs; ``_insert`` keeps the given ones.

Deterministic: the same seed and day give the same organisation whatever its slug. Only
the email domain and the globally unique ids (session calendar uids, response ids) depend
on the slug too, so that two scale organisations can live side by side.
"""

import random
import time
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from math import ceil
from zoneinfo import ZoneInfo

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from accounts.models import User
from demo.programs import (
    DECLINED_MESSAGE,
    DIGITAL,
    EXPECTATIONS,
    MENTEE_GOALS,
    MENTOR_GOALS,
    SLOTS,
    TOPIC_PHRASES,
)
from demo.roster import FIRST_NAMES, LAST_NAMES, SITES
from demo.sessions import GENERAL_COMMITMENTS, HOURS, PLACES, SENIOR_CONTEXT, TOPIC_CONTENT
from demo.surveys import HOPES, TAKEAWAYS, WORTH
from directory.models import Department, Employee, EmployeeDemographics, JobLevelChange
from matching.models import MatchRun, Pair
from organizations.models import Membership, Organization
from organizations.roles import Role
from organizations.services import membership_set_roles
from organizations.tenancy import tenant_context, tenant_models
from programs.match_weights import COMPONENTS, Weights
from programs.models import (
    Audience,
    Cohort,
    Participant,
    ParticipantTopic,
    Program,
    Topic,
    TrainingCompletion,
    TrainingModule,
)
from programs.services import program_save, topic_catalogue_add_suggestions
from sessions.models import Commitment, Goal, MentoringSession, Reflection
from surveys.library import library_seed, survey_create_from_template
from surveys.models import Answer, Assignment, Concern, Question, Response, Schedule, Survey
from surveys.services import iso_week

BATCH = 5_000
TIME_ZONE = "Europe/Berlin"
MENTOR, MENTEE = Participant.Role.MENTOR, Participant.Role.MENTEE
Direction, Objective = Program.Direction, Program.Objective

DIVISIONS = {
    "Technology": [
        "Platform Engineering",
        "Product Engineering",
        "Data and Analytics",
        "IT Services",
        "Security",
        "Quality Assurance",
        "Architecture",
    ],
    "Commercial": [
        "Sales EMEA",
        "Sales Americas",
        "Sales APAC",
        "Marketing",
        "Partnerships",
        "Pricing",
        "Customer Success",
    ],
    "Operations": [
        "Manufacturing",
        "Supply Chain",
        "Logistics",
        "Procurement",
        "Facilities",
        "Health and Safety",
        "Quality Control",
    ],
    "Corporate Functions": [
        "Finance",
        "Accounting",
        "Legal",
        "Compliance",
        "Human Resources",
        "Communications",
        "Strategy Office",
    ],
    "Customer Operations": [
        "Customer Service",
        "Field Service",
        "Technical Support",
        "Training and Education",
        "Customer Insights",
        "Digital Channels",
        "Retail",
    ],
}
# Everyone but the chief executive and the heads: a pyramid over levels 1 to 7.
# Department heads are at 8, division heads and the chief executive at 9.
LEVEL_WEIGHTS = {1: 17, 2: 21, 3: 19, 4: 16, 5: 12, 6: 9, 7: 6}
# Whom a level reports to, nearest first (then any higher level, then the head).
MANAGER_LEVELS = {1: (5, 6), 2: (5, 6), 3: (5, 6), 4: (5, 6), 5: (6, 7), 6: (7,), 7: ()}
TITLES = {
    1: "Associate",
    2: "Analyst",
    3: "Specialist",
    4: "Senior specialist",
    5: "Team lead",
    6: "Manager",
    7: "Senior manager",
    8: "Director",
    9: "Vice-president",
}
LEFT_SHARE, PROMOTED_SHARE, DEMOGRAPHICS_SHARE = 0.12, 0.08, 0.30
GENDERS = [("woman", 44), ("man", 46), ("non_binary", 2), ("self_described", 1)]
GENDERS += [("prefer_not", 4), ("", 3)]
ETHNICITIES = [
    "White",
    "Black",
    "Asian",
    "Hispanic or Latino",
    "Middle Eastern",
    "Mixed",
    "Prefer not to say",
    "",
]
YES_NO = {
    "disability": [("yes", 8), ("no", 78), ("prefer_not", 6), ("", 8)],
    "lgbtq": [("yes", 9), ("no", 75), ("prefer_not", 8), ("", 8)],
    "first_generation": [("yes", 28), ("no", 62), ("prefer_not", 3), ("", 7)],
}

# name, direction, objectives, sessions a month, minutes, months, cohorts, topics
PROGRAMS = [
    (
        "Reverse Mentoring: Digital Leadership",
        Direction.REVERSE,
        [Objective.DIGITAL_FLUENCY, Objective.INTERGENERATIONAL],
        2,
        60,
        9,
        3,
        [*DIGITAL, "What younger colleagues expect at work"],
    ),
    (
        "Data Fluency for Managers",
        Direction.REVERSE,
        [Objective.DIGITAL_FLUENCY],
        4,
        45,
        6,
        3,
        ["Data literacy", "Generative AI tools", "Collaboration tools"],
    ),
    (
        "Inclusive Leadership Exchange",
        Direction.REVERSE,
        [Objective.INCLUSION, Objective.RETENTION],
        2,
        60,
        9,
        2,
        ["Inclusive leadership", "What younger colleagues expect at work", "Social media"],
    ),
    (
        "Cross-generation Exchange",
        Direction.MUTUAL,
        [Objective.INTERGENERATIONAL, Objective.INCLUSION],
        3,
        45,
        6,
        2,
        ["Generative AI tools", "Data literacy", "Strategy", "Navigating the organisation"],
    ),
    (
        "Leadership Pathways",
        Direction.TRADITIONAL,
        [Objective.RETENTION],
        2,
        60,
        12,
        2,
        ["Strategy", "Navigating the organisation", "Inclusive leadership"],
    ),
]
JUNIOR_MAX_LEVEL, SENIOR_MIN_LEVEL, SENIOR_MIN_TENURE = 4, 6, 3
# Topics juniors know better than seniors (the skills grids lean on it).
JUNIOR_TOPICS = {*DIGITAL, "What younger colleagues expect at work", "Social media"}

# Outcomes, as shares.
HELD, CANCELLED = 0.88, 0.07  # of past sessions; the rest did not take place
BOOKED_AHEAD, QUIET = 0.85, 0.06  # of active pairs
ENDED_EARLY = 0.05
CROSS_DEPARTMENT = 0.88
REFLECTED = 0.35  # each person, each held session
RATINGS = [5] * 40 + [4] * 38 + [3] * 15 + [2] * 5 + [1] * 2
AGREEMENT = [5] * 38 + [4] * 40 + [3] * 14 + [2] * 6 + [1] * 2
NPS_SCORES = [10] * 22 + [9] * 24 + [8] * 20 + [7] * 14 + [6] * 8 + [5] * 6 + [3] * 4 + [0] * 2
BASELINE_ANSWERED, END_ANSWERED = 0.88, 0.72
PULSE_TEXT_SHARE = 0.45  # pulse responses with the free-text take-away too
# Goals a mentor sets for themselves.
MENTOR_GOALS_SHORT = [
    "Shadow my mentee in a leadership meeting",
    "Present my team's work to my mentee's leadership team",
    "Ask for candid feedback on my career plan",
]
END_GIFTS = [
    "New skills",
    "A new view of the organisation",
    "A relationship I value",
    "Confidence",
]


class ScaleError(Exception):
    """The organisation cannot be made as asked (the slug is taken, or sizes clash)."""


@dataclass(frozen=True)
class Sizes:
    employees: int = 50_000
    pairs: int = 5_000
    sessions: int = 100_000
    answers: int = 500_000


@dataclass
class ScaleResult:
    organization: Organization
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def scale_organization_create(
    *,
    slug: str,
    sizes: Sizes = Sizes(),  # noqa: B008 - frozen, so sharing the default is safe
    seed: int = 1,
    today: date | None = None,
    replace: bool = False,
    log: Callable[[str], None] = lambda line: None,
) -> ScaleResult:
    """Make the organisation ``slug`` at ``sizes``, as of ``today`` (its time zone's day by
    default), in one transaction. Refuses a slug in use unless ``replace``, which deletes
    that organisation first. ``log`` gets one line per phase with its time."""
    if sizes.employees < 100:
        raise ScaleError("Make at least 100 employees: the directory has 41 heads alone.")
    if min(sizes.pairs, sizes.sessions, sizes.answers) < 0:
        raise ScaleError("Sizes cannot be negative.")
    today = today or timezone.localdate(timezone=ZoneInfo(TIME_ZONE))
    result = ScaleResult(organization=None)
    started = time.perf_counter()

    def timed(name: str, work: Callable[[], str]) -> None:
        begun = time.perf_counter()
        summary = work()
        result.timings[name] = time.perf_counter() - begun
        log(f"{name:<12} {result.timings[name]:7.1f} s  {summary}")

    with transaction.atomic():
        existing = Organization.objects.filter(slug=slug).first()
        if existing is not None:
            if not replace:
                raise ScaleError(f"An organisation has the slug {slug!r}; use replace.")
            timed("replace", lambda: _organization_delete(existing))
        organization = Organization.objects.create(
            name=f"Scale ({slug})", slug=slug, time_zone=TIME_ZONE
        )
        result.organization = organization
        build = _Build(organization, sizes, seed, today, result.counts)
        with tenant_context(organization=organization):
            timed("directory", build.directory)
            timed("programs", build.programs)
            timed("matching", build.matching)
            timed("sessions", build.sessions)
            timed("surveys", build.surveys)
        # The foreign keys are checked at commit (deferred), so committing takes a while.
        commit_begun = time.perf_counter()
    result.timings["commit"] = time.perf_counter() - commit_begun
    log(f"{'commit':<12} {result.timings['commit']:7.1f} s  deferred foreign-key checks")
    if connection.vendor == "postgresql":
        timed("analyze", _analyze)
    result.timings["total"] = time.perf_counter() - started
    log(f"{'total':<12} {result.timings['total']:7.1f} s")
    return result


def _organization_delete(organization: Organization) -> str:
    """Every row of the organisation, table by table: Django's cascade would load a
    million rows to delete them. The foreign keys are deferred, so the order does not
    matter. Append-only tables are touched only if they hold rows (the application's
    database role may not delete from them at all)."""
    deleted = 0
    quote = connection.ops.quote_name
    with tenant_context(organization=organization), connection.cursor() as cursor:
        for model in tenant_models():
            table = quote(model._meta.db_table)
            # Table names come from the models, never from input.
            where = f"FROM {table} WHERE organization_id = %s"
            if getattr(model, "append_only", False):
                cursor.execute(f"SELECT 1 {where} LIMIT 1", [organization.pk])  # noqa: S608
                if cursor.fetchone() is None:
                    continue
            cursor.execute(f"DELETE {where}", [organization.pk])  # noqa: S608
            deleted += max(cursor.rowcount, 0)
        cursor.execute(
            f"DELETE FROM {quote(Organization._meta.db_table)} WHERE id = %s",  # noqa: S608
            [organization.pk],
        )
    return f"{deleted:,} rows of the old {organization.slug!r} deleted"


def _analyze() -> str:
    """Fresh planner statistics for the tables just filled (a no-op, with a warning, for
    a role that does not own them)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in tenant_models():
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
    return "planner statistics"


def _insert(model, objects: list, *, batch_size: int = BATCH) -> list:
    """Write ``objects`` and give them their ids. The moments given to ``auto_now_add``
    fields are kept: generated history happened in the past, not when it is written. (The
    switch is process-wide while it lasts: fine for a command, not for a web worker.)

    On PostgreSQL the ids come from the table's sequence first and the rows go through
    ``_send``; elsewhere through ``bulk_create``."""
    stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    for stamp in stamped:
        stamp.auto_now_add = False
    try:
        database = connections[DEFAULT_DB_ALIAS]
        if database.vendor != "postgresql":
            return model.objects.bulk_create(objects, batch_size=batch_size)
        if not objects:
            return objects
        meta = model._meta
        missing = [obj for obj in objects if obj.pk is None]
        if missing:
            with database.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, len(missing)],
                )
                for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                    obj.pk = pk
        # Each value prepared as bulk_create prepares it: pre_save, then get_db_prep_save.
        fields = meta.concrete_fields
        rows = [
            [f.get_db_prep_save(f.pre_save(obj, True), database) for f in fields] for obj in objects
        ]
        _send(model, fields, rows)
        for obj in objects:
            obj._state.adding, obj._state.db = False, database.alias
        return objects
    finally:
        for stamp in stamped:
            stamp.auto_now_add = True


def _write(model, names: tuple[str, ...], rows: list[tuple]) -> int:
    """Insert plain rows (values in the order of the field ``names``) without model
    instances, for the largest tables; the database numbers them. Values of types that
    need it (JSON, moments, UUIDs) are prepared as Django prepares them."""
    if not rows:
        return 0
    database = connections[DEFAULT_DB_ALIAS]
    fields = [model._meta.get_field(name) for name in names]
    prepare = [None if _plain(f) else f.get_db_prep_save for f in fields]
    prepared = [
        [value if p is None else p(value, database) for value, p in zip(row, prepare, strict=True)]
        for row in rows
    ]
    if database.vendor == "postgresql":
        _send(model, fields, prepared)
        return len(rows)
    quote = database.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    # SQLite caps the parameters of a statement; the backend knows how many rows fit.
    size = max(1, min(1000, database.ops.bulk_batch_size(fields, prepared)))
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with database.cursor() as cursor:
        for start in range(0, len(prepared), size):
            chunk = prepared[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([marks] * len(chunk))}",  # noqa: S608
                [value for values in chunk for value in values],
            )
    return len(rows)


def _send(model, fields: list, rows: list[list]) -> None:
    """Rows of prepared values into the model's table on PostgreSQL: a COPY, or where
    row-level security applies to the role (the application's role), for which
    PostgreSQL refuses COPY FROM, one INSERT of column arrays per batch. Both are several
    times faster than ``bulk_create``'s VALUES lists at this size."""
    database = connections[DEFAULT_DB_ALIAS]
    quote = database.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    # Table and column names come from the model, never from input.
    with database.cursor() as cursor:
        cursor.execute("SELECT row_security_active(%s)", [model._meta.db_table])
        if not cursor.fetchone()[0]:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
            return
    arrays = ", ".join(f"%s::{f.db_type(database)}[]" for f in fields)
    statement = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608
    # The driver's own cursor, binding on the server: the arrays travel as parameters
    # rather than as SQL text built in Python. Same connection, same transaction.
    with psycopg.Cursor(database.connection) as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            cursor.execute(statement, [list(column) for column in zip(*chunk, strict=True)])


PLAIN_TYPES = {"AutoField", "BigAutoField", "BooleanField", "CharField", "TextField"}
PLAIN_TYPES |= {"IntegerField", "BigIntegerField", "SmallIntegerField"}
PLAIN_TYPES |= {"PositiveIntegerField", "PositiveSmallIntegerField"}


def _plain(field) -> bool:
    """Whether the database driver takes the field's Python value as it is."""
    target = field.target_field if field.is_relation else field
    return target.get_internal_type() in PLAIN_TYPES


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` shared out in proportion to ``weights``, exactly (largest remainders)."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


@dataclass(slots=True)
class _Person:
    department: int
    level: int
    hire_date: date
    termination_date: date | None
    birth_year: int
    manager: int | None
    id: int = 0
    promoted_on: date | None = None


@dataclass(slots=True)
class _Place:
    """An approved participant, as later phases need them."""

    id: int
    person: int
    role: str
    cohort: int
    decided_at: datetime


@dataclass(slots=True)
class _Pair:
    id: int
    cohort: int
    mentor: _Place
    mentee: _Place
    published_at: datetime
    ended_at: datetime | None


class _Build:
    """The organisation's data, phase by phase; each phase returns a line for the log."""

    def __init__(self, organization, sizes: Sizes, seed: int, today: date, counts: dict):
        self.organization = organization
        self.sizes = sizes
        self.seed = seed
        self.today = today
        self.zone = ZoneInfo(organization.time_zone)
        self.now = datetime.combine(today, clock(6), tzinfo=self.zone)
        self.counts = counts
        # Globally unique ids also depend on the slug (see the module's docstring).
        self.ids = random.Random(f"scale-ids-{organization.slug}-{seed}")  # noqa: S311

    def rng(self, phase: str) -> random.Random:
        """A generator per phase: changing one phase leaves the others' data as it was."""
        return random.Random(f"scale-{self.seed}-{phase}")  # noqa: S311 - made-up data

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.ids.getrandbits(128), version=4)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, clock(hour, minute), tzinfo=self.zone)

    def count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    # --- The directory ----------------------------------------------------------------

    def directory(self) -> str:
        rng = self.rng("directory")
        organization, today = self.organization, self.today
        self.staff = self._staff()
        divisions = _insert(
            Department,
            [Department(organization=organization, name=name) for name in DIVISIONS],
        )
        departments = []
        for division in divisions:
            departments += [
                Department(organization=organization, name=name, parent=division)
                for name in DIVISIONS[division.name]
            ]
        departments = _insert(Department, departments)
        self.department_names = [d.name for d in [*divisions, *departments]]
        self.count("departments", len(self.department_names))
        people = self.people = self._people(rng, len(divisions), len(departments))
        self._employees(rng, people, [*divisions, *departments])
        # Promotions in the last two years: the level history, ending at today's level.
        promotable = [
            p for p in people[1 + len(divisions) :] if p.level >= 2 and p.hire_date < today
        ]
        changes = []
        for person in rng.sample(
            promotable, k=min(len(promotable), round(PROMOTED_SHARE * len(people)))
        ):
            first = max(person.hire_date + timedelta(days=90), today - timedelta(days=730))
            last = (person.termination_date or today) - timedelta(days=1)
            if first >= last:
                continue
            person.promoted_on = first + timedelta(days=rng.randint(0, (last - first).days))
            changes.append(
                JobLevelChange(
                    organization=organization,
                    employee_id=person.id,
                    from_level=person.level - 1,
                    to_level=person.level,
                    changed_on=person.promoted_on,
                )
            )
        _insert(JobLevelChange, changes)
        self.count("level_changes", len(changes))
        # Self-identified demographics, with consent, for about 30%.
        rows = []
        for person in rng.sample(people, k=round(DEMOGRAPHICS_SHARE * len(people))):
            first = max(person.hire_date, today - timedelta(days=3 * 365))
            last = min(person.termination_date or today, today)
            day = first + timedelta(days=rng.randint(0, max((last - first).days, 0)))
            gender = _weighted(rng, GENDERS)
            rows.append(
                EmployeeDemographics(
                    organization=organization,
                    employee_id=person.id,
                    consent_given_at=self.at(day, rng.randint(8, 18), rng.randint(0, 59)),
                    gender=gender,
                    gender_self_described="Genderfluid" if gender == "self_described" else "",
                    ethnicity=rng.choice(ETHNICITIES),
                    **{name: _weighted(rng, answers) for name, answers in YES_NO.items()},
                )
            )
        _insert(EmployeeDemographics, rows)
        self.count("demographics", len(rows))
        left = sum(1 for p in people if p.termination_date)
        return (
            f"{len(people):,} employees ({left:,} left), {len(self.department_names)} "
            f"departments, {len(changes):,} promotions, {len(rows):,} with demographics"
        )

    def _staff(self) -> Membership:
        """An admin, a program manager and an executive who can be signed in as (no
        password: tests and benchmarks log them in); the manager runs every program."""
        slug = self.organization.slug
        manager = None
        for login, name, roles in (
            ("admin", "Scale Admin", {Role.ADMIN}),
            ("manager", "Scale Manager", {Role.PROGRAM_MANAGER}),
            ("exec", "Scale Executive", {Role.EXECUTIVE}),
        ):
            user, created = User.objects.get_or_create(
                email=f"{login}@{slug}.example", defaults={"name": name}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            membership = membership_set_roles(
                organization=self.organization, user=user, roles=roles
            )
            manager = membership if login == "manager" else manager
        return manager

    def _people(self, rng: random.Random, n_divisions: int, n_departments: int) -> list[_Person]:
        """Who is where and at which level, reporting to whom (indices, not ids yet).
        Department indices count the divisions first."""
        today = self.today
        people: list[_Person] = []

        def add(department: int, level: int, manager: int | None) -> int:
            age = 23 + 3.4 * (level - 1) + rng.gauss(0, 4)
            birth_year = min(max(round(today.year - age), 1960), 2004)
            age = today.year - birth_year
            longest = min(15.0, max(age - 20, 0.2), 2 + 1.8 * level)
            tenure_days = max(int(365 * longest * rng.random() ** 1.3), 7)
            hire = today - timedelta(days=tenure_days)
            people.append(_Person(department, level, hire, None, birth_year, manager))
            return len(people) - 1

        chief = add(n_divisions - 2, 9, None)  # in Corporate Functions
        division_heads = [add(d, 9, chief) for d in range(n_divisions)]
        per_division = n_departments // n_divisions
        heads = [
            add(n_divisions + d, 8, division_heads[d // per_division]) for d in range(n_departments)
        ]
        rest = self.sizes.employees - len(people)
        weights = [rng.lognormvariate(0, 0.5) for _ in range(n_departments)]
        departments = rng.choices(range(n_departments), weights=weights, k=rest)
        levels = rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()), k=rest)
        # Managers first, so that each person's manager already has an index.
        by_level: dict[tuple[int, int], list[int]] = defaultdict(list)
        for department, level in sorted(zip(departments, levels, strict=True), key=lambda x: -x[1]):
            candidates = [by_level[department, m] for m in MANAGER_LEVELS[level]]
            candidates += [by_level[department, m] for m in range(level + 1, 8)]
            bosses = next((c for c in candidates if c), [heads[department]])
            index = add(n_divisions + department, level, rng.choice(bosses))
            by_level[department, level].append(index)
        # About 12% left in the last two years (never the chief executive or a head).
        leavers = rng.sample(
            range(1 + n_divisions + len(heads), len(people)),
            k=round(LEFT_SHARE * len(people)),
        )
        for index in leavers:
            person = people[index]
            left = max(
                today - timedelta(days=rng.randint(1, 730)), person.hire_date + timedelta(days=30)
            )
            person.termination_date = left if left < today else None
        return people

    def _employees(self, rng: random.Random, people: list[_Person], departments: list) -> None:
        organization, slug = self.organization, self.organization.slug
        sites = SITES["acme"] + SITES["globex"]
        # The order people were added in, a rank at a time: every manager is written
        # (and has an id) before their reports.
        for start, stop in self._ranks(people):
            rows = []
            for index in range(start, stop):
                person = people[index]
                number = f"S{index + 1:06d}"
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                local = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore")
                site, zone = rng.choice(sites)
                department = departments[person.department]
                rows.append(
                    Employee(
                        organization=organization,
                        employee_number=number,
                        email=f"{local.decode().replace(' ', '.')}.{number.lower()}@{slug}.example",
                        name=name,
                        department=department,
                        job_title=f"{TITLES[person.level]}, {department.name}",
                        job_level=person.level,
                        manager_id=people[person.manager].id
                        if person.manager is not None
                        else None,
                        hire_date=person.hire_date,
                        termination_date=person.termination_date,
                        location=site,
                        time_zone=zone,
                        birth_year=person.birth_year,
                    )
                )
            for index, employee in enumerate(_insert(Employee, rows), start=start):
                people[index].id = employee.pk
        self.count("employees", len(people))

    @staticmethod
    def _ranks(people: list[_Person]):
        """(start, stop) batches of at most BATCH people of one rank: the chief
        executive, the division heads, the department heads, then level by level."""

        def rank(index: int) -> tuple:
            return (index > 0, people[index].manager == 0, people[index].level)

        start = 0
        for index in range(1, len(people) + 1):
            if index == len(people) or index - start >= BATCH or rank(index) != rank(start):
                yield start, index
                start = index

    # --- Programs, cohorts, people's places, training ----------------------------------

    def programs(self) -> str:
        rng = self.rng("programs")
        organization, today = self.organization, self.today
        topic_catalogue_add_suggestions(organization=organization)
        topics = {t.name: t for t in Topic.objects.filter(organization=organization)}
        self.topic_names = {t.pk: t.name for t in topics.values()}
        self.taken: dict[int, set[int]] = defaultdict(set)  # program id -> people
        self.program_list, self.program_topics, cohort_plans = [], [], []
        for name, direction, objectives, per_month, minutes, months, n_cohorts, names in PROGRAMS:
            # The latest wave started one to five months ago, the earlier ones every
            # three to five months before, all within the last 18 months.
            latest = rng.randint(40, 150)
            starts = [latest]
            while len(starts) < n_cohorts:
                starts.append(min(starts[-1] + rng.randint(100, 160), 545))
            starts = [today - timedelta(days=days) for days in reversed(starts)]
            length = timedelta(days=round(months * 30.44))
            reverse_like = direction != Direction.TRADITIONAL
            program = Program(
                organization=organization,
                name=name,
                description=f"{name}: pairs across generations and departments.",
                objectives=list(objectives),
                direction=direction,
                start_date=starts[0],
                end_date=starts[-1] + length,
                sessions_per_month=per_month,
                session_minutes=minutes,
                planned_sessions=months * per_month,
                mentor_max_level=JUNIOR_MAX_LEVEL if reverse_like else None,
                mentee_min_level=SENIOR_MIN_LEVEL if reverse_like else None,
                mentee_min_tenure_years=SENIOR_MIN_TENURE if reverse_like else None,
            )
            # The service: validation, topics, managers and the default training.
            program = program_save(
                program=program, topics=[topics[n] for n in names], managers=[self.staff]
            )
            status = Program.Status.CLOSED if program.end_date < today else Program.Status.ACTIVE
            created_at = self.at(program.start_date - timedelta(days=75), 10)
            Program.objects.filter(pk=program.pk).update(status=status, created_at=created_at)
            program.status, program.created_at = status, created_at
            self.program_list.append(program)
            self.program_topics.append([topics[n].pk for n in names])
            for k, start in enumerate(starts):
                cohort = Cohort(
                    organization=organization,
                    program=program,
                    name=f"Wave {k + 1}" if k else "Pilot",
                    start_date=start,
                    end_date=start + length,
                    size_limit=None,
                    matching_started_at=self.at(start - timedelta(days=10), 9),
                    created_at=self.at(start - timedelta(days=70), 11),
                )
                cohort_plans.append(cohort)
        self.cohorts = _insert(Cohort, cohort_plans)
        self.program_index = {p.pk: i for i, p in enumerate(self.program_list)}
        per_cohort = _split(self.sizes.pairs, [rng.uniform(0.7, 1.3) for _ in self.cohorts])
        self.places: list[tuple[list[_Place], list[_Place]]] = []
        invited = 0
        for cohort, n in zip(self.cohorts, per_cohort, strict=True):
            invited += self._enrol(rng, cohort, n)
        approved = sum(len(m) + len(e) for m, e in self.places)
        completions = self._training(rng)
        return (
            f"{len(self.program_list)} programs, {len(self.cohorts)} cohorts, "
            f"{invited:,} invited, {approved:,} approved, {completions:,} trainings done"
        )

    def _pool(self, cohort: Cohort, role: str, taken: set[int]) -> list[int]:
        """People eligible for ``role`` on the day invitations went out."""
        program = cohort.program
        day = cohort.start_date - timedelta(days=60)
        senior = (role == MENTEE) == (program.direction != Direction.TRADITIONAL)
        pool = []
        for index, person in enumerate(self.people):
            if index in taken or person.hire_date > day:
                continue
            if person.termination_date and person.termination_date <= day:
                continue
            if senior:
                tenure = (day - person.hire_date).days / 365.25
                if person.level < SENIOR_MIN_LEVEL or tenure < SENIOR_MIN_TENURE:
                    continue
            elif person.level > JUNIOR_MAX_LEVEL:
                continue
            pool.append(index)
        return pool

    def _enrol(self, rng: random.Random, cohort: Cohort, n: int) -> int:
        """``n`` mentors and ``n`` mentees approved, and some who were invited and did not
        end up taking part; returns how many were invited."""
        program = cohort.program
        taken = self.taken[program.pk]
        start = cohort.start_date
        chosen = {}
        for role in (MENTOR, MENTEE):
            pool = self._pool(cohort, role, taken)
            extras = round(n * 0.12)
            if len(pool) < n:
                raise ScaleError(
                    f"Only {len(pool)} employees can be {role}s in {cohort.program.name}'s "
                    f"{cohort.name}, which needs {n}: make more employees or fewer pairs."
                )

            def lean(index: int, role=role) -> float:
                # The lowest keys are taken: a leaver is about half as likely to be among
                # them, a mentor promoted since about one and a half times as likely (see
                # the module's docstring).
                person = self.people[index]
                left = person.termination_date is not None
                promoted = role == MENTOR and person.promoted_on and person.promoted_on > start
                return rng.random() * (2 if left else 1) * (0.65 if promoted else 1)

            ranked = sorted(pool, key=lean)
            chosen[role] = ranked[:n], ranked[n : n + extras]
            taken.update(ranked[: n + extras])
        manager = self.staff
        rows, kinds = [], []
        for role in (MENTOR, MENTEE):
            approved, extras = chosen[role]
            for index in approved:
                rows.append(self._participant(rng, cohort, index, role, "approved"))
                kinds.append((index, role, True))
            for index in extras:
                status = _weighted(rng, [("invited", 35), ("rejected", 25), ("withdrawn", 40)])
                rows.append(self._participant(rng, cohort, index, role, status))
                kinds.append((index, role, False))
        for row in rows:
            row.invited_by = None if row.source == Participant.Source.SELF_NOMINATED else manager
        rows = _insert(Participant, rows)
        mentors, mentees, topics = [], [], []
        for row, (index, role, approved) in zip(rows, kinds, strict=True):
            if not approved:
                continue
            place = _Place(row.pk, index, role, self.cohorts.index(cohort), row.decided_at)
            (mentors if role == MENTOR else mentees).append(place)
            topics += self._interests(rng, program, row)
        _insert(ParticipantTopic, topics)
        self.places.append((mentors, mentees))
        self.count("participants", len(rows))
        self.count("approved", len(mentors) + len(mentees))
        self.count("participant_topics", len(topics))
        return len(rows)

    def _participant(self, rng, cohort: Cohort, index: int, role: str, status: str):
        program, person = cohort.program, self.people[index]
        department = self.department_names[person.department]
        focus = rng.choice(PROGRAMS[self.program_index[program.pk]][7])
        invited_at = self.at(cohort.start_date - timedelta(days=rng.randint(30, 60)), 9) + (
            timedelta(minutes=rng.randint(0, 480))
        )
        applied_at = decided_at = None
        if status != "invited" and not (status == "withdrawn" and rng.random() < 0.5):
            applied_at = invited_at + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))
        if status in ("approved", "rejected"):
            decided_at = applied_at + timedelta(days=rng.randint(1, 7), hours=rng.randint(0, 6))
        template = rng.choice(MENTOR_GOALS if role == MENTOR else MENTEE_GOALS)
        self_nominated = rng.random() < 0.1
        return Participant(
            organization=self.organization,
            program=program,
            cohort=cohort,
            employee_id=person.id,
            role=role,
            status=status,
            source=(
                Participant.Source.SELF_NOMINATED if self_nominated else Participant.Source.INVITED
            ),
            invited_at=invited_at,
            applied_at=applied_at,
            decided_at=decided_at,
            decision_message=DECLINED_MESSAGE if status == "rejected" else "",
            goals=template.format(topic=TOPIC_PHRASES.get(focus, focus), department=department)
            if applied_at
            else "",
            expectations=rng.choice(EXPECTATIONS) if applied_at else "",
            availability=sorted(rng.sample(SLOTS, k=rng.randint(2, 5)), key=SLOTS.index)
            if applied_at
            else [],
            time_zone=TIME_ZONE,
            languages=["English"],
            capacity=1,
            ground_rules_accepted_at=applied_at,
        )

    def _interests(self, rng, program: Program, participant: Participant) -> list:
        """What the person can teach and wants to learn, as their application said."""
        topic_ids = self.program_topics[self.program_index[program.pk]]
        mutual = program.direction == Direction.MUTUAL
        rows = []
        for kind, does in (
            (ParticipantTopic.Kind.TEACH, participant.role == MENTOR or mutual),
            (ParticipantTopic.Kind.LEARN, participant.role == MENTEE or mutual),
        ):
            if not does:
                continue
            low = 3 if kind == ParticipantTopic.Kind.TEACH else 2
            for topic_id in rng.sample(topic_ids, k=min(len(topic_ids), rng.randint(1, 2))):
                rows.append(
                    ParticipantTopic(
                        organization=self.organization,
                        participant_id=participant.pk,
                        topic_id=topic_id,
                        kind=kind,
                        level=rng.randint(low, 5),
                    )
                )
        return rows

    def _training(self, rng: random.Random) -> int:
        """The program's default modules: nearly everyone does the required ones before
        the start, some the optional ones too."""
        modules = defaultdict(list)  # program id -> [(id, audience, required)]
        for row in TrainingModule.objects.filter(organization=self.organization).values_list(
            "program_id", "id", "audience", "required_before_matching"
        ):
            modules[row[0]].append(row[1:])
        audience = {MENTOR: Audience.MENTORS, MENTEE: Audience.MENTEES}
        rows, done = [], 0
        for mentors, mentees in self.places:
            for place in [*mentors, *mentees]:
                program_id = self.cohorts[place.cohort].program_id
                for module_id, meant_for, required in modules[program_id]:
                    if meant_for not in (Audience.EVERYONE, audience[place.role]):
                        continue
                    if rng.random() < (0.97 if required else 0.65):
                        moment = place.decided_at + timedelta(
                            days=rng.randint(1, 12), hours=rng.randint(0, 8)
                        )
                        rows.append(
                            TrainingCompletion(
                                organization=self.organization,
                                participant_id=place.id,
                                module_id=module_id,
                                completed_at=min(moment, self.now),
                            )
                        )
                if len(rows) >= BATCH:
                    done += len(_insert(TrainingCompletion, rows))
                    rows = []
        done += len(_insert(TrainingCompletion, rows))
        self.count("training_completions", done)
        return done

    # --- Matching -----------------------------------------------------------------------

    def matching(self) -> str:
        rng = self.rng("matching")
        weights = Weights().as_dict()
        runs = []
        for cohort, (mentors, mentees) in zip(self.cohorts, self.places, strict=True):
            runs.append(
                MatchRun(
                    organization=self.organization,
                    cohort=cohort,
                    mode=MatchRun.Mode.ENGINE,
                    status=MatchRun.Status.PUBLISHED,
                    weights=weights,
                    mentor_count=len(mentors),
                    mentee_count=len(mentees),
                    created_by=self.staff,
                    created_at=cohort.matching_started_at,
                    published_at=self.at(cohort.start_date - timedelta(days=7), 10),
                )
            )
        runs = _insert(MatchRun, runs)
        self.count("match_runs", len(runs))
        self.pairs: list[_Pair] = []
        crossing = 0
        for k, (cohort, run) in enumerate(zip(self.cohorts, runs, strict=True)):
            mentors, mentees = self.places[k]
            mentors, mentees = mentors[:], mentees[:]
            rng.shuffle(mentors)
            rng.shuffle(mentees)
            self._mostly_across_departments(rng, mentors, mentees)
            rows, plans = [], []
            for mentor, mentee in zip(mentors, mentees, strict=True):
                row, ended_at = self._pair(rng, cohort, run, mentor, mentee, weights)
                rows.append(row)
                plans.append((mentor, mentee, ended_at))
                one = self.people[mentor.person].department
                crossing += one != self.people[mentee.person].department
            for row, (mentor, mentee, ended_at) in zip(_insert(Pair, rows), plans, strict=True):
                self.pairs.append(_Pair(row.pk, k, mentor, mentee, row.published_at, ended_at))
        self.count("pairs", len(self.pairs))
        active = sum(1 for p in self.pairs if p.ended_at is None)
        return (
            f"{len(runs)} published runs, {len(self.pairs):,} pairs ({active:,} active, "
            f"{crossing:,} across departments)"
        )

    def _mostly_across_departments(self, rng, mentors: list[_Place], mentees: list[_Place]):
        """Swap mentors so that most pairs cross departments, as the engine prefers."""
        department = [self.people[m.person].department for m in mentors]
        for i, mentee in enumerate(mentees):
            theirs = self.people[mentee.person].department
            if department[i] != theirs or rng.random() > CROSS_DEPARTMENT:
                continue
            for j in range(i + 1, min(i + 60, len(mentors))):
                if department[j] != theirs:
                    mentors[i], mentors[j] = mentors[j], mentors[i]
                    department[i], department[j] = department[j], department[i]
                    break

    def _pair(self, rng, cohort: Cohort, run: MatchRun, mentor, mentee, weights):
        components = {name: round(rng.uniform(0.2, 1.0), 2) for name in COMPONENTS}
        one = self.department_names[self.people[mentor.person].department]
        other = self.department_names[self.people[mentee.person].department]
        components["cross_department"] = 1.0 if one != other else 0.0
        status, ended_at, reason = Pair.Status.ACTIVE, None, ""
        published = run.published_at
        end_day = cohort.end_date + timedelta(days=rng.randint(0, 5))
        if rng.random() < ENDED_EARLY:
            latest = min(self.now, self.at(end_day, 17))
            days = max((latest - published).days - 31, 1)
            ended_at = published + timedelta(
                days=30 + rng.randint(0, days), hours=rng.randint(0, 8)
            )
            ended_at = min(ended_at, self.now - timedelta(days=1))
            status, reason = Pair.Status.ENDED, "One of us moved to another role."
        elif end_day < self.today:
            status, ended_at = Pair.Status.ENDED, self.at(end_day, 17)
        source = Pair.Source.MANAGER if rng.random() < 0.04 else Pair.Source.ENGINE
        row = Pair(
            organization=self.organization,
            run=run,
            program_id=cohort.program_id,
            cohort=cohort,
            mentor_id=mentor.id,
            mentee_id=mentee.id,
            status=status,
            source=source,
            score=round(sum(weights[n] * v for n, v in components.items()), 3),
            components=components,
            explanation=f"Topics in common; {one} and {other}.",
            override_reason="Asked to be paired together." if source == Pair.Source.MANAGER else "",
            published_at=published,
            ended_at=ended_at,
            ended_by=self.staff if reason else None,
            end_reason=reason,
        )
        return row, ended_at

    # --- Sessions, reflections, goals, commitments, concerns ------------------------------

    def sessions(self) -> str:
        rng = self.rng("sessions")
        plans = []  # per pair: (first possible day, last past moment, booked ahead, quiet)
        weights = []
        for pair in self.pairs:
            program = self.cohorts[pair.cohort].program
            interval = 30.44 / program.sessions_per_month
            begin = pair.published_at + timedelta(days=rng.randint(5, 14))
            stop = (pair.ended_at or self.now) - timedelta(days=1)
            cohort_end = self.cohorts[pair.cohort].end_date
            live = pair.ended_at is None
            quiet = live and rng.random() < QUIET
            ahead = live and not quiet and cohort_end > self.today and rng.random() < BOOKED_AHEAD
            span = max((stop - begin).total_seconds() / 86400, 1)
            plans.append((begin, stop, ahead, quiet))
            weights.append(span / interval + ahead)
        per_pair = _split(self.sizes.sessions, weights)
        self.held: list[tuple[int, int, datetime]] = []  # (session id, pair, logged at)
        self.held_by_pair = defaultdict(list)
        batch, reflections = [], []
        totals = defaultdict(int)
        for index, (pair, n, (begin, stop, ahead, quiet)) in enumerate(
            zip(self.pairs, per_pair, plans, strict=True)
        ):
            if not n:
                continue
            program = self.cohorts[pair.cohort].program
            past = n - 1 if ahead else n
            if quiet:
                stop = begin + (stop - begin) * 0.5
            span = max(stop - begin, timedelta(days=1))
            for i in range(past):
                moment = begin + span * ((i + 0.5 + rng.uniform(-0.3, 0.3)) / past)
                batch.append(self._session(rng, index, program, moment.date(), past=True))
            if ahead:
                day = self.today + timedelta(days=rng.randint(1, 20))
                batch.append(self._session(rng, index, program, day, past=False))
            if len(batch) >= BATCH:
                self._sessions_write(rng, batch, reflections, totals)
                batch = []
        self._sessions_write(rng, batch, reflections, totals)
        _insert(Reflection, reflections)
        self.count("reflections", totals["reflections"] + len(reflections))
        goals, commitments, concerns = self._pair_work(rng)
        return (
            f"{sum(per_pair):,} sessions ({totals['held']:,} held, {totals['cancelled']:,} "
            f"cancelled, {totals['scheduled']:,} booked ahead), "
            f"{self.counts['reflections']:,} reflections, {goals:,} goals, "
            f"{commitments:,} commitments, {concerns} concerns"
        )

    def _session(self, rng, pair_index: int, program: Program, day: date, *, past: bool):
        pair = self.pairs[pair_index]
        starts_at = self.at(day, rng.choice(HOURS), rng.choice([0, 0, 30]))
        if past:
            starts_at = min(starts_at, self.now - timedelta(hours=30))
            roll = rng.random()
            status = (
                MentoringSession.Status.HELD
                if roll < HELD
                else MentoringSession.Status.CANCELLED
                if roll < HELD + CANCELLED
                else MentoringSession.Status.NOT_HELD
            )
        else:
            status = MentoringSession.Status.SCHEDULED
        minutes = program.session_minutes
        logger = rng.choice([pair.mentor, pair.mentee])
        logged = status in (MentoringSession.Status.HELD, MentoringSession.Status.NOT_HELD)
        ends = starts_at + timedelta(minutes=minutes)
        logged_at = min(ends + timedelta(hours=rng.randint(1, 30)), self.now) if logged else None
        topic_ids = self.program_topics[self.program_index[program.pk]]
        held = status == MentoringSession.Status.HELD
        in_person = rng.random() < 0.4
        row = MentoringSession(
            organization=self.organization,
            pair_id=pair.id,
            starts_at=starts_at,
            duration_minutes=minutes,
            location=rng.choice(PLACES) if in_person else "",
            video_link="" if in_person else f"https://meet.example.com/{rng.getrandbits(40):x}",
            status=status,
            scheduled_by_id=rng.choice([pair.mentor, pair.mentee]).id,
            uid=f"{self.uid().hex}@upturn",
            held_minutes=max(minutes + rng.choice([-15, -10, 0, 0, 0, 5, 10, 15]), 5)
            if held
            else None,
            topic_ids=rng.sample(topic_ids, k=min(len(topic_ids), rng.randint(1, 2)))
            if held
            else [],
            logged_at=logged_at,
            logged_by_id=logger.id if logged else None,
            created_at=max(starts_at - timedelta(days=rng.randint(3, 21)), pair.published_at),
        )
        return pair_index, row

    def _sessions_write(self, rng, batch, reflections: list, totals) -> None:
        if not batch:
            return
        rows = _insert(MentoringSession, [row for _, row in batch])
        for (pair_index, _), row in zip(batch, rows, strict=True):
            totals[row.status] += 1
            if row.status != MentoringSession.Status.HELD:
                continue
            self.held.append((row.pk, pair_index, row.logged_at))
            self.held_by_pair[pair_index].append((row.pk, row.logged_at))
            pair = self.pairs[pair_index]
            names = [self._topic_name(t) for t in row.topic_ids]
            for place in (pair.mentor, pair.mentee):
                if rng.random() >= REFLECTED:
                    continue
                did = self._did(rng, names)
                reflections.append(
                    Reflection(
                        organization=self.organization,
                        session_id=row.pk,
                        participant_id=place.id,
                        rating=rng.choice(RATINGS),
                        learned=rng.choice(SENIOR_CONTEXT) if place.role == MENTOR else did,
                        taught=did if place.role == MENTOR else "",
                    )
                )
        if len(reflections) >= BATCH:
            totals["reflections"] += len(_insert(Reflection, reflections))
            reflections.clear()

    def _topic_name(self, topic_id: int) -> str:
        return self.topic_names[topic_id]

    @staticmethod
    def _did(rng, names: list[str]) -> str:
        for name in names:
            if name in TOPIC_CONTENT:
                return rng.choice(TOPIC_CONTENT[name]["did"])
        return "how decisions get made, and who to ask"

    def _pair_work(self, rng) -> tuple[int, int, int]:
        """Goals (set in the first weeks, many done), commitments by the senior person
        (often recorded after a session) and a few concerns raised by mentors."""
        goals, commitments, concerns = [], [], []
        counts = [0, 0, 0]
        for index, pair in enumerate(self.pairs):
            cohort = self.cohorts[pair.cohort]
            program = cohort.program
            names = [
                self._topic_name(t) for t in self.program_topics[self.program_index[program.pk]]
            ]
            content = [TOPIC_CONTENT[n] for n in names if n in TOPIC_CONTENT]
            last = pair.ended_at or self.now
            ended = pair.ended_at is not None
            for _ in range(rng.randint(1, 4)):
                created = pair.published_at + timedelta(
                    days=rng.randint(7, 60), hours=rng.randint(0, 8)
                )
                if created >= last:
                    continue
                owner = _weighted(rng, [("mentee", 60), ("mentor", 25), ("both", 15)])
                if owner == "mentor":
                    title = rng.choice(MENTOR_GOALS_SHORT)
                elif content:
                    title = rng.choice(rng.choice(content)["goals"])
                else:
                    title = "Agree one thing to try before each session"
                status = _weighted(
                    rng,
                    [("done", 55), ("dropped", 15), ("open", 30)]
                    if ended
                    else [("done", 35), ("dropped", 10), ("open", 55)],
                )
                done_at = None
                if status == "done":
                    done_at = created + timedelta(days=rng.randint(7, 90))
                    if done_at >= last:
                        status, done_at = "open", None
                goals.append(
                    Goal(
                        organization=self.organization,
                        pair_id=pair.id,
                        title=title,
                        owner_id=None
                        if owner == "both"
                        else (pair.mentor if owner == "mentor" else pair.mentee).id,
                        due_date=(created + timedelta(days=rng.randint(30, 120))).date(),
                        status=status,
                        created_at=created,
                        done_at=done_at,
                    )
                )
            held = self.held_by_pair.get(index, [])
            senior = pair.mentor if program.direction == Direction.TRADITIONAL else pair.mentee
            if held and rng.random() < 0.6:
                for session_id, logged_at in rng.sample(held, k=min(len(held), rng.randint(1, 3))):
                    theme, text = rng.choice(
                        [c for topic in content for c in topic["commitments"]] + GENERAL_COMMITMENTS
                    )
                    commitments.append(
                        Commitment(
                            organization=self.organization,
                            pair_id=pair.id,
                            session_id=session_id,
                            participant_id=senior.id,
                            text=text,
                            theme=theme,
                            status=_weighted(rng, [("done", 40), ("dropped", 10), ("open", 50)]),
                            created_at=logged_at,
                        )
                    )
            if held and rng.random() < 0.02:
                moment = rng.choice(held)[1]
                named = rng.random() < 0.6
                status = _weighted(rng, [("new", 30), ("following_up", 20), ("resolved", 50)])
                concerns.append(
                    Concern(
                        organization=self.organization,
                        program=program,
                        pair_id=pair.id if named else None,
                        author_id=pair.mentor.id if named else None,
                        text="We keep cancelling; I am not sure my mentee has the time.",
                        status=status,
                        follow_up="Talked to both; they agreed a fixed slot."
                        if status != "new"
                        else "",
                        week=iso_week(moment),
                        followed_up_at=min(moment + timedelta(days=3), self.now)
                        if status != "new"
                        else None,
                    )
                )
            for rows, model, k in ((goals, Goal, 0), (commitments, Commitment, 1)):
                if len(rows) >= BATCH:
                    counts[k] += len(_insert(model, rows))
                    rows.clear()
        counts[0] += len(_insert(Goal, goals))
        counts[1] += len(_insert(Commitment, commitments))
        counts[2] += len(_insert(Concern, concerns))
        self.count("goals", counts[0])
        self.count("commitments", counts[1])
        self.count("concerns", counts[2])
        return tuple(counts)

    # --- Surveys --------------------------------------------------------------------------

    def surveys(self) -> str:
        rng = self.rng("surveys")
        organization = self.organization
        library_seed(organization=organization)
        templates = {
            s.kind: s for s in Survey.objects.filter(organization=organization, program=None)
        }
        midpoint = list(templates[Survey.Kind.MIDPOINT].questions.all())
        per_program, self.anonymous = [], {}
        for program in self.program_list:
            made = {}
            for kind in (Survey.Kind.BASELINE, Survey.Kind.PULSE, Survey.Kind.END):
                made[kind] = survey_create_from_template(template=templates[kind], program=program)
            pulse = made[Survey.Kind.PULSE]
            # Two of the midpoint's agreement questions, asked after every session too.
            added = [q for q in midpoint if q.type == Question.Type.AGREEMENT][1:3]
            base = pulse.questions.count()
            for position, question in enumerate(added, start=base):
                question.pk, question.survey, question.position = None, pulse, position
            Question.objects.bulk_create(added)
            Survey.objects.filter(pk__in=[s.pk for s in made.values()]).update(
                created_at=program.created_at
            )
            per_program.append({kind: self._questions(s) for kind, s in made.items()})
            self.anonymous |= {s.pk: s.anonymous for s in made.values()}
        schedules = []
        for cohort in self.cohorts:
            surveys = per_program[self.program_index[cohort.program_id]]
            created = cohort.matching_started_at + timedelta(days=1)
            for kind, anchor, days in (
                (Survey.Kind.BASELINE, Schedule.Anchor.COHORT_START, 21),
                (Survey.Kind.PULSE, Schedule.Anchor.EACH_SESSION, 14),
                (Survey.Kind.END, Schedule.Anchor.COHORT_END, 21),
            ):
                schedules.append(
                    Schedule(
                        organization=organization,
                        survey_id=surveys[kind]["survey"],
                        cohort=cohort,
                        anchor=anchor,
                        offset_days=0,
                        audience=Schedule.Audience.BOTH,
                        open_days=days,
                        created_by=self.staff,
                        created_at=created,
                    )
                )
        schedules = _insert(Schedule, schedules)
        self.count("schedules", len(schedules))
        self.schedule = {}
        for schedule in schedules:
            kind = next(
                k
                for k, s in per_program[self.program_index[schedule.cohort.program_id]].items()
                if s["survey"] == schedule.survey_id
            )
            self.schedule[self.cohorts.index(schedule.cohort), kind] = schedule
        self.questions = per_program
        self.writer = _ResponseWriter(self)
        answered = self._baseline_and_end(rng)
        answered += self._pulse(rng, self.sizes.answers - answered)
        self.writer.flush()
        return (
            f"{len(per_program) * 3} surveys, {len(schedules)} schedules, "
            f"{self.counts['assignments']:,} assignments, {self.counts['responses']:,} "
            f"responses, {self.counts['answers']:,} answers"
        )

    @staticmethod
    def _questions(survey: Survey) -> dict:
        found = {"survey": survey.pk}
        for question in survey.questions.all():
            found.setdefault(question.type, []).append(question.pk)
        return found

    def _baseline_and_end(self, rng) -> int:
        """The baseline for every started cohort and the end survey for those whose end
        has come; their answer rates lowered if they would take over a quarter of the
        answers (small sizes), so that the pulse stays the bulk."""
        baseline = [(k, self.at(c.start_date, 8)) for k, c in enumerate(self.cohorts)]
        ending = [
            (k, self.at(c.end_date, 8))
            for k, c in enumerate(self.cohorts)
            if self.at(c.end_date, 8) <= self.now
        ]
        people = {k: len(m) + len(e) for k, (m, e) in enumerate(self.places)}
        natural = sum(people[k] for k, _ in baseline) * BASELINE_ANSWERED * 1.5
        natural += sum(people[k] for k, _ in ending) * END_ANSWERED * 4.2
        damp = min(1.0, self.sizes.answers / 4 / natural) if natural else 1.0
        answers = 0
        for kind, windows, share in (
            (Survey.Kind.BASELINE, baseline, BASELINE_ANSWERED * damp),
            (Survey.Kind.END, ending, END_ANSWERED * damp),
        ):
            for k, opens in windows:
                schedule = self.schedule[k, kind]
                closes = opens + timedelta(days=schedule.open_days)
                mentors, mentees = self.places[k]
                for place in [*mentors, *mentees]:
                    answered = rng.random() < share
                    self.writer.assignment(schedule, place, schedule.anchor, opens, answered)
                    if not answered:
                        continue
                    when = min(opens + timedelta(hours=rng.randint(1, 24 * 12)), closes, self.now)
                    answers += self.writer.response(
                        schedule, place, when, self._answers(rng, kind, k, place)
                    )
        return answers

    def _answers(self, rng, kind: str, k: int, place: _Place) -> list[tuple[int, object]]:
        questions = self.questions[self.program_index[self.cohorts[k].program_id]][kind]
        topic_ids = self.program_topics[self.program_index[self.cohorts[k].program_id]]
        junior = (place.role == MENTOR) == (
            self.cohorts[k].program.direction != Direction.TRADITIONAL
        )
        end = kind == Survey.Kind.END
        grid = {}
        for topic_id in topic_ids:
            knows = (self._topic_name(topic_id) in JUNIOR_TOPICS) == junior
            low, high = (3, 5) if knows else (1, 3)
            level = rng.randint(low, high) + (rng.random() < 0.6 if end and not knows else 0)
            grid[str(topic_id)] = min(level, 5)
        skills = questions[Question.Type.SKILLS][0]
        texts = questions[Question.Type.TEXT]
        if not end:
            found = [(skills, grid)]
            if rng.random() < 0.5:
                found.append((texts[0], rng.choice(HOPES[place.role])))
            return found
        found = [
            (questions[Question.Type.AGREEMENT][0], rng.choice(AGREEMENT)),
            (questions[Question.Type.NPS][0], rng.choice(NPS_SCORES)),
            (skills, grid),
        ]
        if rng.random() < 0.4:
            found.append((texts[0], rng.choice(TAKEAWAYS[place.role])))
        if rng.random() < 0.6:
            gifts = rng.sample(END_GIFTS, k=rng.randint(1, 3))
            found.append((questions[Question.Type.MULTIPLE][0], gifts))
        if rng.random() < 0.08:
            found.append((texts[-1], "We changed how my team runs its meetings."))
        return found

    def _pulse(self, rng, budget: int) -> int:
        """The pulse after each held session, to each of the two: exactly ``budget``
        answers. Each response answers the three agreement questions, and some the
        free-text take-away: so many responses, and so many take-aways, that the total
        comes out exact."""
        chances = 2 * len(self.held)
        if budget <= 0:
            responses = texts = 0
        else:
            responses = min(
                chances,
                max(ceil(budget / 4), min(budget // 3, round(budget / (3 + PULSE_TEXT_SHARE)))),
            )
            texts = budget - 3 * responses
            if not 0 <= texts <= responses:
                raise ScaleError(
                    f"{self.sizes.answers:,} answers do not fit: the pulse after "
                    f"{len(self.held):,} held sessions can carry {4 * chances:,} at most "
                    "(at least 3 a response). Ask for more sessions or fewer answers."
                )
        answering = set(rng.sample(range(chances), k=responses))
        with_text = set(rng.sample(sorted(answering), k=texts))
        answers = 0
        for n, (session_id, pair_index, logged_at) in enumerate(self.held):
            pair = self.pairs[pair_index]
            schedule = self.schedule[pair.cohort, Survey.Kind.PULSE]
            questions = self.questions[self.program_index[self.cohorts[pair.cohort].program_id]]
            worth, *agreement = questions[Survey.Kind.PULSE][Question.Type.AGREEMENT]
            takeaway = questions[Survey.Kind.PULSE][Question.Type.TEXT][0]
            closes = logged_at + timedelta(days=schedule.open_days)
            for offset, place in enumerate((pair.mentor, pair.mentee)):
                chance = 2 * n + offset
                answered = chance in answering
                self.writer.assignment(
                    schedule, place, f"session:{session_id}", logged_at, answered
                )
                if not answered:
                    continue
                found = [(worth, rng.choice(WORTH))]
                found += [(q, rng.choice(AGREEMENT)) for q in agreement]
                if chance in with_text:
                    found.append((takeaway, rng.choice(TAKEAWAYS[place.role])))
                when = min(logged_at + timedelta(minutes=rng.randint(10, 60 * 24 * 4)), closes)
                answers += self.writer.response(schedule, place, min(when, self.now), found)
        return answers


class _ResponseWriter:
    """Assignments, responses and answers, written a batch at a time as plain rows (at
    this volume model instances cost more than the writing). Anonymous responses keep
    the cohort, the role and the week only, and each batch goes in shuffled, as the
    release of held answers does."""

    ASSIGNMENT = ("organization", "schedule", "participant", "occasion", "opens_at")
    ASSIGNMENT += ("closes_at", "answered")
    RESPONSE = ("id", "organization", "schedule", "cohort", "role", "week", "participant")
    RESPONSE += ("department", "level", "story_consent")
    ANSWER = ("organization", "response", "question", "value")

    def __init__(self, build: _Build):
        self.build = build
        self.organization_id = build.organization.pk
        self.shuffle = build.rng("survey-order")
        self.assignments, self.responses, self.answers = [], [], []

    def assignment(self, schedule, place: _Place, occasion: str, opens, answered: bool) -> None:
        closes = opens + timedelta(days=schedule.open_days)
        self.assignments.append(
            (self.organization_id, schedule.pk, place.id, occasion, opens, closes, answered)
        )
        if len(self.assignments) >= BATCH:
            self.flush()

    def response(self, schedule: Schedule, place: _Place, when, answers: list) -> int:
        anonymous = self.build.anonymous[schedule.survey_id]
        person = self.build.people[place.person]
        response_id = self.build.uid()
        self.responses.append(
            (
                response_id,
                self.organization_id,
                schedule.pk,
                schedule.cohort_id,
                place.role,
                iso_week(when),
                None if anonymous else place.id,
                "" if anonymous else self.build.department_names[person.department],
                None if anonymous else person.level,
                False,
            )
        )
        self.answers += [(self.organization_id, response_id, q, v) for q, v in answers]
        if len(self.answers) >= 4 * BATCH:
            self.flush()
        return len(answers)

    def flush(self) -> None:
        self.shuffle.shuffle(self.responses)
        for model, names, rows, counted in (
            (Assignment, self.ASSIGNMENT, self.assignments, "assignments"),
            (Response, self.RESPONSE, self.responses, "responses"),
            (Answer, self.ANSWER, self.answers, "answers"),
        ):
            self.build.count(counted, _write(model, names, rows))
        self.assignments, self.responses, self.answers = [], [], []
