"""Demo programs for the demo organisations, built through the programs' own services.

Acme runs a reverse mentoring program whose "Pilot" cohort is approved, trained and ready
for matching while "Wave 2" is still recruiting; Globex runs a smaller mutual program.
The mentor@ and mentee@ demo logins take part, so they see their own places.

Called by ``demo.organizations.seed_demo`` inside the organisation's tenant context once
its directory is loaded. Idempotent: a program that already exists (by name) is left as
it is. Deterministic: the people and their profiles come from a seeded random generator.
"""

import random
from collections import defaultdict
from datetime import date, timedelta
from itertools import zip_longest

from django.utils import timezone

from directory.models import Employee
from organizations.models import Membership, Organization
from programs.eligibility import eligibility_problems
from programs.enrolment import (
    Application,
    participant_apply,
    participant_decide,
    participant_invite_many,
    participant_nominate,
)
from programs.forms import AVAILABILITY_CHOICES
from programs.models import Cohort, Participant, Program, Topic, TrainingCompletion
from programs.services import program_change_status, program_save, topic_catalogue_add_suggestions
from programs.training import modules_for, training_complete

ACME_PROGRAM = "Reverse Mentoring 2027"
GLOBEX_PROGRAM = "Cross-generation exchange"
# The demo logins who run or watch programs; they do not take part.
NOT_PARTICIPATING = ("admin", "manager", "exec")

DIGITAL = ["Generative AI tools", "Social media", "Data literacy", "Collaboration tools"]
ACME_TOPICS = [*DIGITAL, "What younger colleagues expect at work", "Inclusive leadership"]
GLOBEX_JUNIOR_TOPICS = ["Generative AI tools", "Data literacy", "Collaboration tools"]
GLOBEX_SENIOR_TOPICS = ["Strategy", "Navigating the organisation"]

# How a topic reads inside a sentence.
TOPIC_PHRASES = {
    "Generative AI tools": "generative AI tools",
    "Social media": "social media",
    "Data literacy": "data analysis",
    "Collaboration tools": "collaboration tools",
    "What younger colleagues expect at work": "what younger colleagues expect at work",
    "Inclusive leadership": "inclusive leadership",
    "Strategy": "strategy",
    "Navigating the organisation": "how the organisation really works",
}
SLOTS = [code for code, _label in AVAILABILITY_CHOICES]
SECOND_LANGUAGES = {
    "Berlin": "German",
    "Lisbon": "Portuguese",
    "Warsaw": "Polish",
    "Toronto": "French",
    "Austin": "Spanish",
}

MENTOR_GOALS = [
    "I want to help a senior leader get hands-on with {topic} and see how my team uses it.",
    "Share what I know about {topic}, and learn how decisions get made above my level.",
    "Get visibility beyond {department} and practise explaining {topic} to someone "
    "very experienced.",
    "Build confidence in giving candid feedback upward, starting with {topic}.",
    "Show how {topic} can help {department}, and understand what holds leaders back.",
]
MENTEE_GOALS = [
    "Get practical with {topic} so that I can lead my team's adoption rather than follow it.",
    "Understand {topic} from someone who lives it every day, and hear honestly how my "
    "decisions land with younger colleagues.",
    "Stop leaving {topic} to my team: I want to try things myself between sessions.",
    "Learn what younger colleagues expect from a leader, and where {topic} fits in our "
    "{department} work.",
    "Close my blind spots on {topic} before we set next year's {department} plans.",
]
EXPECTATIONS = [
    "An honest conversation once a month, and one thing to try before the next one.",
    "A partner outside my department who tells me what they really think.",
    "Practical exercises more than theory.",
    "To leave each session with something I can use the same week.",
    "A safe space to ask questions I would not ask in a meeting.",
    "",
]
DECLINED_MESSAGE = (
    "Thank you for applying. Wave 2 already has more mentors from your department than it "
    "can pair; we will invite you first for the next wave."
)


def seed_programs_demo(organization: Organization) -> None:
    """The demo organisation's topic catalogue and programs (Acme and Globex)."""
    topic_catalogue_add_suggestions(organization=organization)
    if organization.slug == "acme":
        _seed_acme(organization)
    elif organization.slug == "globex":
        _seed_globex(organization)


def _seed_acme(organization: Organization) -> None:
    if Program.objects.filter(organization=organization, name=ACME_PROGRAM).exists():
        return
    rng = random.Random(f"programs-demo-{organization.slug}")  # noqa: S311 - made-up data
    manager = _manager(organization)
    start = timezone.localdate() + timedelta(weeks=3)
    end = start + timedelta(days=274)  # about nine months
    program = Program(
        organization=organization,
        name=ACME_PROGRAM,
        description=(
            "Early-career colleagues mentor senior leaders in the tools and habits of "
            "digital work, and in what a new generation expects from the workplace. "
            "Leaders learn hands-on; mentors gain visibility and a view of how the "
            "company is run."
        ),
        objectives=[
            Program.Objective.DIGITAL_FLUENCY,
            Program.Objective.INTERGENERATIONAL,
            Program.Objective.RETENTION,
        ],
        direction=Program.Direction.REVERSE,
        start_date=start,
        end_date=end,
        sessions_per_month=1,
        session_minutes=60,
        planned_sessions=8,
        # The generated roster: individual contributors are at levels 1 to 4, managers
        # at 5 and 6, directors and above at 7 to 10. Juniors mentor; from level 6 up
        # with three years at the company, people are mentees.
        mentor_max_level=3,
        mentee_min_level=6,
        mentee_min_tenure_years=3,
    )
    program = _create_recruiting(program, ACME_TOPICS, manager)
    pilot = _cohort(program, "Pilot", start, end - timedelta(days=14), size_limit=40)
    wave_2 = _cohort(
        program, "Wave 2", start + timedelta(days=61), end, size_limit=30, self_nomination=True
    )

    mentors = _pick(rng, program, Participant.Role.MENTOR, 20 + 8, first="mentor")
    mentees = _pick(rng, program, Participant.Role.MENTEE, 20 + 7, first="mentee")
    topics = _topics(program)
    teach, learn = ACME_TOPICS, ACME_TOPICS

    # The pilot: invited five weeks ago; everyone applied, was approved and is trained.
    for participant in _invite(pilot, mentors[:20], mentees[:20], manager):
        _apply(rng, participant, topics, teach=teach, learn=learn)
        participant = participant_decide(participant=participant, approve=True, actor=manager)
        _train(rng, participant)
        _backdate(rng, participant, invited_days_ago=rng.randint(34, 40))

    # Wave 2: invited last week. Six applications wait for a decision (one from a
    # colleague who nominated themselves through the cohort's link), one was declined,
    # and eight people have not answered yet.
    wave_mentors = _invite(wave_2, mentors[20:27], [], manager)
    wave_mentees = _invite(wave_2, [], mentees[20:27], manager)
    nominated = participant_nominate(
        cohort=wave_2, employee=mentors[27], role=Participant.Role.MENTOR
    )
    for participant in [*wave_mentors[:2], *wave_mentees[:3], nominated]:
        _apply(rng, participant, topics, teach=teach, learn=learn)
    declined = wave_mentors[2]
    _apply(rng, declined, topics, teach=teach, learn=learn)
    participant_decide(participant=declined, approve=False, message=DECLINED_MESSAGE, actor=manager)
    for participant in [*wave_mentors, *wave_mentees, nominated]:
        _backdate(rng, participant, invited_days_ago=rng.randint(5, 9))


def _seed_globex(organization: Organization) -> None:
    if Program.objects.filter(organization=organization, name=GLOBEX_PROGRAM).exists():
        return
    rng = random.Random(f"programs-demo-{organization.slug}")  # noqa: S311 - made-up data
    manager = _manager(organization)
    start = timezone.localdate() + timedelta(weeks=2)
    end = start + timedelta(days=183)  # about six months
    program = Program(
        organization=organization,
        name=GLOBEX_PROGRAM,
        description=(
            "Pairs of an early-career colleague and a senior leader teach each other: "
            "the digital tools of today's work one way, strategy and how the company "
            "works the other."
        ),
        objectives=[Program.Objective.INTERGENERATIONAL, Program.Objective.INCLUSION],
        direction=Program.Direction.MUTUAL,
        start_date=start,
        end_date=end,
        sessions_per_month=2,
        session_minutes=45,
        planned_sessions=10,
        mentor_max_level=4,
        mentee_min_level=6,
    )
    program = _create_recruiting(program, GLOBEX_JUNIOR_TOPICS + GLOBEX_SENIOR_TOPICS, manager)
    cohort = _cohort(program, "Spring cohort", start, end, size_limit=16)
    topics = _topics(program)
    juniors = _pick(rng, program, Participant.Role.MENTOR, 6, first="mentor")
    seniors = _pick(rng, program, Participant.Role.MENTEE, 6, first="mentee")
    for participant in _invite(cohort, juniors, seniors, manager):
        # Both teach: juniors the digital tools, seniors strategy and the organisation.
        if participant.role == Participant.Role.MENTOR:
            teach, learn = GLOBEX_JUNIOR_TOPICS, GLOBEX_SENIOR_TOPICS
        else:
            teach, learn = GLOBEX_SENIOR_TOPICS, GLOBEX_JUNIOR_TOPICS
        _apply(rng, participant, topics, teach=teach, learn=learn)
        participant = participant_decide(participant=participant, approve=True, actor=manager)
        _train(rng, participant)
        _backdate(rng, participant, invited_days_ago=rng.randint(20, 26))


def _manager(organization: Organization) -> Membership:
    return Membership.objects.select_related("user").get(
        organization=organization, user__email=f"manager@{organization.slug}.example"
    )


def _create_recruiting(program: Program, topic_names: list[str], manager: Membership) -> Program:
    topics = Topic.objects.filter(organization=program.organization, name__in=topic_names)
    program = program_save(program=program, topics=topics, managers=[manager])
    return program_change_status(program=program, to=Program.Status.RECRUITING)


def _cohort(
    program: Program,
    name: str,
    start: date,
    end: date,
    *,
    size_limit: int,
    self_nomination: bool = False,
) -> Cohort:
    # There is no cohort service: the cohort form validates and saves the model itself.
    cohort = Cohort(
        organization=program.organization,
        program=program,
        name=name,
        start_date=start,
        end_date=end,
        size_limit=size_limit,
        self_nomination_open=self_nomination,
    )
    cohort.full_clean()
    cohort.save()
    return cohort


def _topics(program: Program) -> dict[str, Topic]:
    return {t.name: t for t in Topic.objects.filter(programtopic__program=program)}


def _pick(rng: random.Random, program: Program, role: str, count: int, *, first: str) -> list:
    """``count`` eligible people for ``role``, spread over the departments; the demo login
    ``first`` (e.g. "mentor") comes first. Other demo logins are left out."""
    slug = program.organization.slug
    logins = {f"{login}@{slug}.example" for login in NOT_PARTICIPATING}
    named = f"{first}@{slug}.example"
    today = timezone.localdate()
    by_department = defaultdict(list)
    chosen = []
    candidates = Employee.objects.filter(organization=program.organization).select_related(
        "department"
    )
    for employee in candidates.order_by("employee_number"):
        if employee.email in logins or eligibility_problems(
            program=program, employee=employee, role=role, today=today
        ):
            continue
        if employee.email == named:
            chosen.append(employee)
        else:
            by_department[employee.department.name if employee.department else ""].append(employee)
    if not chosen:
        raise RuntimeError(f"{named} is not eligible as a {role} in {program}.")
    for people in by_department.values():
        rng.shuffle(people)
    departments = sorted(by_department)
    rng.shuffle(departments)
    while len(chosen) < count and any(by_department.values()):
        for department in departments:
            if by_department[department] and len(chosen) < count:
                chosen.append(by_department[department].pop())
    if len(chosen) < count:
        raise RuntimeError(f"Only {len(chosen)} people are eligible as {role}s in {program}.")
    return chosen


def _invite(cohort: Cohort, mentors: list, mentees: list, manager: Membership) -> list[Participant]:
    """Invite the people as the program manager, each list in its role; the places come
    back mentor and mentee alternately."""
    invited = {}
    for role, people in ((Participant.Role.MENTOR, mentors), (Participant.Role.MENTEE, mentees)):
        if not people:
            continue
        outcome = participant_invite_many(cohort=cohort, employees=people, role=role, actor=manager)
        if outcome.skipped:
            raise RuntimeError(f"Demo invitations were refused: {outcome.skipped}")
        invited.update({p.employee_id: p for p in outcome.invited})
    pairs = zip_longest(mentors, mentees)
    return [invited[e.pk] for pair in pairs for e in pair if e is not None]


def _apply(
    rng: random.Random,
    participant: Participant,
    topics: dict[str, Topic],
    *,
    teach: list[str],
    learn: list[str],
) -> Participant:
    employee = participant.employee
    is_mentor = participant.role == Participant.Role.MENTOR
    # One digital topic is the person's focus (their goals name it), then one or two more.
    teach_names = _some_topics(rng, teach, topics, extra=1, focus_first=is_mentor)
    learn_names = _some_topics(
        rng, learn, topics, extra=rng.randint(1, 2), focus_first=not is_mentor
    )
    focus = teach_names[0] if is_mentor else learn_names[0]
    department = employee.department.name if employee.department else "our"
    goals = rng.choice(MENTOR_GOALS if is_mentor else MENTEE_GOALS)
    languages = ["English"]
    second = SECOND_LANGUAGES.get(employee.location)
    if second and rng.random() < 0.7:
        languages.append(second)
    application = Application(
        teach={topics[n]: rng.randint(3, 5) for n in teach_names} if participant.teaches else {},
        learn={topics[n]: rng.randint(2, 5) for n in learn_names} if participant.learns else {},
        goals=goals.format(topic=TOPIC_PHRASES.get(focus, focus), department=department),
        expectations=rng.choice(EXPECTATIONS),
        availability=sorted(rng.sample(SLOTS, k=rng.randint(2, 5)), key=SLOTS.index),
        time_zone=employee.time_zone or participant.organization.time_zone,
        languages=languages,
        capacity=rng.choice([1, 1, 2]) if is_mentor else 1,
        answers={},
        accepts_ground_rules=True,
    )
    return participant_apply(participant=participant, application=application)


def _some_topics(
    rng: random.Random, names: list[str], topics: dict[str, Topic], *, extra: int, focus_first: bool
) -> list[str]:
    offered = [name for name in names if name in topics]
    focus = [name for name in offered if name in DIGITAL] if focus_first else offered
    first = rng.choice(focus or offered)
    rest = [name for name in offered if name != first]
    return [first, *rng.sample(rest, k=min(extra, len(rest)))]


def _train(rng: random.Random, participant: Participant) -> None:
    """Every module required before matching; some also take the optional ones."""
    for module in modules_for(participant):
        if module.required_before_matching or rng.random() < 0.4:
            training_complete(participant=participant, module=module)


def _backdate(rng: random.Random, participant: Participant, *, invited_days_ago: int) -> None:
    """Spread the funnel over the past weeks, as a real recruitment is (raw writes: the
    services stamp the moment they run)."""
    participant.refresh_from_db()
    now = timezone.now()
    invited_at = now - timedelta(days=invited_days_ago, hours=rng.randint(0, 8))
    changes = {"invited_at": invited_at}
    if participant.applied_at:
        applied_at = min(
            invited_at + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 8)), now
        )
        changes.update(applied_at=applied_at, ground_rules_accepted_at=applied_at)
        if participant.decided_at:
            decided_at = min(applied_at + timedelta(days=rng.randint(1, 5)), now)
            changes["decided_at"] = decided_at
            TrainingCompletion.objects.filter(participant=participant).update(
                completed_at=min(decided_at + timedelta(days=rng.randint(1, 6)), now)
            )
    Participant.objects.filter(pk=participant.pk).update(**changes)
