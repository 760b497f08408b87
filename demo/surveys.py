"""Demo surveys for Acme's pilot: the baseline self-assessment at the cohort's start and
the pulse after each session, with months of answers, so that the results have real
charts (and one breakdown too small to show).

The program manager set both up the day after the pilot's pairs were published, from
the organisation's library: the baseline (attributed) for everyone at the pilot's start,
open three weeks; the pulse (anonymous) after each logged session, open three weeks too
(a session a month: until about the next one). Once the pilot had run about three months,
the manager asked it for its verdict with the library's end-of-program survey (anonymous),
scheduled days after the cohort's start so that it opened four weeks ago, for two weeks:
the pilot is the program's trial run, and Wave 2 is shaped by what it says. About three in
four answered, mostly satisfied and promoters; the worker released the sealed answers
together when it closed (as it does for a one-window survey), so the dashboard's
satisfaction and NPS, which count the weeks before the day's, have them. Some told their
story and agreed to share it, and the manager featured two for the executives.

About 85% of the pilot answered the baseline (mentees rate themselves low on the digital
topics, mentors high) and about 70% of the pulses were answered (mostly 4 or 5). The
suppressed breakdown: the baseline's optional question "What would make this program a
success for you?" was answered by only four mentors (most mentees answered it), so its
breakdown by role hides the mentors (fewer than five), and the mentees with them (the
total minus the mentees would give the mentors away). Priya
(mentor@) and Tom (mentee@) answered everything except the pulse of their latest
session, still open: "My surveys" has something for each of them to answer.

History goes through the services. ``schedule_create`` stamps the moment it runs, so the
schedules' (and surveys') ``created_at`` is then set back (raw updates). The assignments
come from ``assignments_create`` run at moments the hourly beat ran: at the pilot's
first logged session, which makes every pulse assignment (each opens when its session
was logged, whatever the run's moment, and none had closed yet: the rows are the ones
the beat made session by session), and on the pilot's first day, which makes the
baseline's (a run makes them only once they are open). The beat's next run, now, has
nothing left to make. Each answer goes through ``response_submit`` at a moment inside
its assignment's window, so its ISO week is the week it would have come in.

Called by ``demo.organizations.seed_demo`` after the sessions' demo history, inside the
organisation's tenant context. Idempotent: a program that already has surveys is left
alone (but for the end-of-program survey, added to a demo seeded before it was part of
it). Deterministic: the answers come from a seeded random generator.
"""

import contextlib
import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Min
from django.utils import timezone

from demo.programs import ACME_PROGRAM, DIGITAL
from matching.models import Pair
from organizations.models import Membership, Organization
from programs.models import Cohort, Participant, Topic
from sessions.models import MentoringSession
from surveys.library import library_seed, survey_create_from_template
from surveys.models import Assignment, Question, Schedule, Survey
from surveys.sealing import SealingError
from surveys.services import (
    assignments_create,
    response_submit,
    responses_release,
    schedule_create,
)
from surveys.stories import program_stories, story_feature

MENTOR, MENTEE = Participant.Role.MENTOR, Participant.Role.MENTEE
END_OPENED_DAYS_AGO = 28
END_OPEN_DAYS = 14
END_ANSWERED = 0.75
FEATURED_STORIES = 2
# The end-of-pilot answers: "Overall, I am satisfied" (1 to 5) and the 0 to 10
# recommendation. Mostly content, as pilots with volunteers are; a few are not.
SATISFIED = [5] * 45 + [4] * 35 + [3] * 14 + [2] * 6
RECOMMEND = [10] * 30 + [9] * 28 + [8] * 22 + [7] * 10 + [6] * 6 + [5] * 4
CHANGES = {
    MENTEE: [
        "I draft my updates with the AI assistant and check them before they go out.",
        "I ask the quietest person in the room first.",
        "I share links instead of attachments, and my team noticed.",
        "I open the team dashboard myself before our weekly meeting.",
    ],
    MENTOR: [
        "I prepare one clear ask before I meet someone senior.",
        "I give feedback upward, and it is heard.",
        "I understand why decisions take the time they take.",
        "I explain tools step by step instead of doing it for people.",
    ],
}
STORIES = [
    "My mentor showed me how to run our planning meeting on a shared document. Three "
    "months later the whole leadership team works that way, and meetings end with "
    "decisions instead of slides.",
    "I was nervous about telling a director what our team really thinks of the new "
    "tools. We now meet every month, and two of my suggestions are in next year's plan.",
    "I had left data to my analysts for twenty years. Now I build my own pivot tables, "
    "and I ask better questions of the people who build the real ones.",
    "Mentoring a vice-president taught me how budgets are decided. I presented my "
    "team's proposal to the leadership team last month, and it was funded.",
    "We started with AI tools and ended up talking about what makes young people stay. "
    "I rewrote my department's onboarding with a recent joiner.",
]
BASELINE_ANSWERED = 0.85
PULSE_ANSWERED = 0.70
OPEN_DAYS = 21
# Mentors who answered the baseline's optional free-text question: fewer than five, so
# its breakdown by role hides them.
MENTORS_WITH_HOPES = 4
# The pulse's "worth my time": mostly 4 or 5, some 3, rarely 2.
WORTH = [5] * 42 + [4] * 38 + [3] * 16 + [2] * 4
# Skill levels by role: the mentors are the juniors, at home in the digital topics.
LEVELS = {
    MENTEE: {"digital": (1, 3), "What younger colleagues expect at work": (1, 3), "other": (2, 4)},
    MENTOR: {"digital": (3, 5), "What younger colleagues expect at work": (4, 5), "other": (1, 3)},
}
HOPES = {
    MENTEE: [
        "Use the new tools myself instead of asking my team to.",
        "Understand how younger colleagues really see our leadership.",
        "Stop nodding along when my team talks about data.",
        "Lead our AI adoption with some credibility.",
        "An honest partner who tells me what I am missing.",
        "Feel at ease in our collaboration tools, not just tolerate them.",
        "Know which of our habits push early-career people away.",
        "Try one new thing a month, and keep it.",
    ],
    MENTOR: [
        "Learn how decisions get made at the top.",
        "Get better at giving feedback to someone senior.",
        "Visibility beyond my own team.",
        "See my mentee actually use what we practise.",
    ],
}
TAKEAWAYS = {
    MENTEE: [
        "Check every claim an AI draft makes.",
        "Share links, not attachments.",
        "My team reads the channel, not my emails.",
        "Ask for the data before the recommendation.",
        "Give feedback in the week it is due.",
        "Ask the quietest person first.",
        "Write a prompt like a briefing: context, role, example.",
        "A pivot table is less scary than I thought.",
        "Block an hour to practise, or it does not happen.",
        "Younger colleagues judge us by how we run meetings.",
    ],
    MENTOR: [
        "Budget decisions start much earlier than I thought.",
        "Senior people want candour, framed well.",
        "Prepare one clear ask before meeting a director.",
        "Explaining a tool slowly shows me what I do by habit.",
        "Leaders worry about the same things we do.",
        "Patience: change at the top takes months.",
        "Show, do not tell: let them drive the mouse.",
        "How a reorganisation is really decided.",
    ],
}


def seed_surveys_demo(organization: Organization) -> None:
    if organization.slug != "acme":
        return
    pilot = (
        Cohort.objects.filter(organization=organization, program__name=ACME_PROGRAM, name="Pilot")
        .select_related("program")
        .first()
    )
    if pilot is None:
        return
    demo = {f"mentor@{organization.slug}.example", f"mentee@{organization.slug}.example"}
    topics = list(Topic.objects.filter(programtopic__program=pilot.program).order_by("name"))
    surveys = Survey.objects.filter(program=pilot.program)
    if surveys.exists():
        # A demo seeded before the end-of-program answers were part of it gets them.
        if not surveys.filter(kind=Survey.Kind.END).exists():
            _end_of_pilot(organization, pilot, topics, demo, timezone.now())
        return
    held = MentoringSession.objects.filter(
        pair__cohort=pilot, status=MentoringSession.Status.HELD, logged_at__isnull=False
    )
    first_logged = held.aggregate(at=Min("logged_at"))["at"]
    if first_logged is None:
        return  # no history to answer about
    rng = random.Random(f"surveys-demo-{organization.slug}")  # noqa: S311 - made-up data
    now = timezone.now()
    baseline, pulse = _set_up(organization, pilot, first_logged, now)
    # The beat's runs that made the assignments (see the module's docstring): the
    # baseline's is any moment of its window, here midday of the pilot's first day.
    zone = ZoneInfo(organization.time_zone)
    start_day = datetime.combine(pilot.start_date, time(12), tzinfo=zone)
    for moment in sorted([first_logged, start_day]):
        assignments_create(organization=organization, now=min(moment, now))
    assignments = list(
        Assignment.objects.filter(schedule__cohort=pilot)
        .select_related("schedule", "participant__employee")
        .order_by("opens_at", "participant__employee__employee_number", "occasion")
    )
    baseline_assignments = [a for a in assignments if a.schedule.survey_id == baseline.pk]
    pulse_assignments = [a for a in assignments if a.schedule.survey_id == pulse.pk]
    _answer_baseline(rng, baseline, baseline_assignments, topics, demo, now)
    _answer_pulse(rng, pulse, pulse_assignments, demo, now)
    _end_of_pilot(organization, pilot, topics, demo, now)
    # The worker's run now: the baseline is attributed, the pulses went out as they came.
    _release(organization=organization, now=now)


def _set_up(organization: Organization, pilot: Cohort, first_logged, now) -> tuple[Survey, Survey]:
    """The program's baseline and pulse, from the library, scheduled by the program
    manager the day after the pilot's pairs were published (before any session)."""
    program = pilot.program
    manager = Membership.objects.get(
        organization=organization, user__email=f"manager@{organization.slug}.example"
    )
    library_seed(organization=organization)
    templates = {s.kind: s for s in Survey.objects.filter(organization=organization, program=None)}
    baseline = survey_create_from_template(
        template=templates[Survey.Kind.BASELINE], program=program
    )
    pulse = survey_create_from_template(template=templates[Survey.Kind.PULSE], program=program)
    schedules = [
        schedule_create(
            survey=baseline,
            cohort=pilot,
            anchor=Schedule.Anchor.COHORT_START,
            offset_days=0,
            audience=Schedule.Audience.BOTH,
            open_days=OPEN_DAYS,
            actor=manager,
        ),
        schedule_create(
            survey=pulse,
            cohort=pilot,
            anchor=Schedule.Anchor.EACH_SESSION,
            offset_days=0,
            audience=Schedule.Audience.BOTH,
            open_days=OPEN_DAYS,
            actor=manager,
        ),
    ]
    published = Pair.objects.filter(cohort=pilot).aggregate(at=Min("published_at"))["at"]
    set_up_at = min(
        (published or first_logged) + timedelta(days=1), first_logged - timedelta(hours=1)
    )
    # Raw updates: the services stamp the moment they run. The library came first.
    Survey.objects.filter(organization=organization, program=None, created_at__gte=now).update(
        created_at=set_up_at - timedelta(minutes=10)
    )
    Survey.objects.filter(pk__in=[baseline.pk, pulse.pk]).update(
        created_at=set_up_at - timedelta(minutes=5)
    )
    Schedule.objects.filter(pk__in=[s.pk for s in schedules]).update(created_at=set_up_at)
    return baseline, pulse


def _answer_baseline(rng, survey, assignments, topics, demo, now) -> None:
    """About 85% answer, the demo logins among them; only a few mentors say what they
    hope for (the suppressed breakdown), most mentees do."""
    grid, hopes = _questions(survey, Question.Type.SKILLS, Question.Type.TEXT)
    answering = _choose(rng, assignments, BASELINE_ANSWERED, always=demo)
    mentors = [a for a in answering if a.participant.role == MENTOR]
    hopeful_mentors = set(
        rng.sample([a.pk for a in mentors], k=min(MENTORS_WITH_HOPES, len(mentors)))
    )
    for assignment in answering:
        role = assignment.participant.role
        levels = {}
        for topic in topics:
            kind = "digital" if topic.name in DIGITAL else topic.name
            low, high = LEVELS[role].get(kind, LEVELS[role]["other"])
            levels[topic.pk] = rng.randint(low, high)
        answers = {grid.pk: levels}
        if assignment.pk in hopeful_mentors or (role == MENTEE and rng.random() < 0.85):
            answers[hopes.pk] = rng.choice(HOPES[role])
        when = assignment.opens_at + timedelta(hours=rng.randint(1, 24 * 12))
        response_submit(assignment=assignment, answers=answers, now=_within(assignment, when, now))


def _answer_pulse(rng, survey, assignments, demo, now) -> None:
    """About 70% answer, within a few days. Priya and Tom answer every pulse but the one
    of their latest session, which is still open."""
    worth, takeaway = _questions(survey, Question.Type.AGREEMENT, Question.Type.TEXT)
    latest = {}
    for assignment in assignments:
        if assignment.participant.employee.email in demo:
            latest[assignment.participant_id] = assignment  # ordered by opening
    left_open = {a.pk for a in latest.values()}
    candidates = [a for a in assignments if a.pk not in left_open]
    given = []
    for assignment in _choose(rng, candidates, PULSE_ANSWERED, always=demo, of=len(assignments)):
        role = assignment.participant.role
        answers = {worth.pk: rng.choice(WORTH)}
        if rng.random() < 0.6:
            answers[takeaway.pk] = rng.choice(TAKEAWAYS[role])
        when = assignment.opens_at + timedelta(minutes=rng.randint(10, 60 * 24 * 4))
        given.append((_within(assignment, when, now), assignment.pk, assignment, answers))
    # In the order they came in, each followed by the worker's release, which takes a
    # role's held answers out five at a time (after each session: surveys.sealing).
    for moment, _pk, assignment, answers in sorted(given, key=lambda g: g[:2]):
        response_submit(assignment=assignment, answers=answers, now=moment)
        _release(organization=assignment.organization, now=moment)


def _release(*, organization: Organization, now) -> None:
    """The worker's release; a process without the private key (the web service running
    seed_demo) leaves it to the worker's next run."""
    with contextlib.suppress(SealingError):
        responses_release(organization=organization, now=now)


def _questions(survey: Survey, *types) -> list[Question]:
    """The first question of each type; "story": the one that asks for a story."""
    questions = list(survey.questions.all())
    return [
        next(q for q in questions if (q.story if type_ == "story" else q.type == type_))
        for type_ in types
    ]


def _choose(rng, assignments, share, *, always, of=None) -> list[Assignment]:
    """``share`` of ``of`` (by default all the) assignments, the demo logins' first, in
    the order given."""
    target = round(share * (of if of is not None else len(assignments)))
    mine = [a for a in assignments if a.participant.employee.email in always]
    others = [a for a in assignments if a.participant.employee.email not in always]
    chosen = {a.pk for a in mine}
    chosen |= {a.pk for a in rng.sample(others, k=max(0, min(target - len(mine), len(others))))}
    return [a for a in assignments if a.pk in chosen]


def _within(assignment: Assignment, when, now):
    """A moment inside the assignment's window, and not after now."""
    return max(assignment.opens_at, min(when, assignment.closes_at, now - timedelta(minutes=1)))


def _end_of_pilot(organization, pilot: Cohort, topics, demo, now) -> None:
    """The end-of-program survey, asked of the pilot four weeks ago for two (see the
    module's docstring), answered by about three in four in its first ten days, the logins
    among them; two of the stories shared are featured. A generator of its own, so that
    the baseline's and the pulse's answers stay as they were."""
    rng = random.Random(f"surveys-demo-end-{organization.slug}")  # noqa: S311 - made-up data
    manager = Membership.objects.get(
        organization=organization, user__email=f"manager@{organization.slug}.example"
    )
    template = Survey.objects.get(organization=organization, program=None, kind=Survey.Kind.END)
    survey = survey_create_from_template(template=template, program=pilot.program)
    zone = ZoneInfo(organization.time_zone)
    opened_on = timezone.localdate(now, zone) - timedelta(days=END_OPENED_DAYS_AGO)
    schedule = schedule_create(
        survey=survey,
        cohort=pilot,
        anchor=Schedule.Anchor.COHORT_START,
        offset_days=(opened_on - pilot.start_date).days,
        audience=Schedule.Audience.BOTH,
        open_days=END_OPEN_DAYS,
        actor=manager,
    )
    set_up_at = datetime.combine(opened_on - timedelta(days=3), time(10), tzinfo=zone)
    Survey.objects.filter(pk=survey.pk).update(created_at=set_up_at - timedelta(minutes=5))
    Schedule.objects.filter(pk=schedule.pk).update(created_at=set_up_at)
    # The hourly beat's run on the day it opened made everyone's assignment.
    assignments_create(
        organization=organization, now=datetime.combine(opened_on, time(12), tzinfo=zone)
    )
    assignments = list(
        Assignment.objects.filter(schedule=schedule)
        .select_related("participant__employee")
        .order_by("participant__employee__employee_number")
    )
    satisfied, recommend, skills, changed, story = _questions(
        survey,
        Question.Type.AGREEMENT,
        Question.Type.NPS,
        Question.Type.SKILLS,
        Question.Type.TEXT,
        "story",
    )
    stories = list(STORIES)
    rng.shuffle(stories)
    given = []
    for assignment in _choose(rng, assignments, END_ANSWERED, always=demo):
        role = assignment.participant.role
        answers = {
            satisfied.pk: rng.choice(SATISFIED),
            recommend.pk: rng.choice(RECOMMEND),
            skills.pk: {t.pk: rng.randint(3, 5) for t in topics},
        }
        if rng.random() < 0.6:
            answers[changed.pk] = rng.choice(CHANGES[role])
        consent = bool(stories) and rng.random() < 0.3
        if consent:
            answers[story.pk] = stories.pop()
        when = assignment.opens_at + timedelta(minutes=rng.randint(30, 60 * 24 * 10))
        given.append((_within(assignment, when, now), assignment.pk, assignment, answers, consent))
    for moment, _pk, assignment, answers, consent in sorted(given, key=lambda g: g[:2]):
        response_submit(assignment=assignment, answers=answers, story_consent=consent, now=moment)
    # One window: the worker releases its answers together once it has closed.
    _release(organization=organization, now=now)
    for shared in program_stories(pilot.program)[:FEATURED_STORIES]:
        story_feature(story=shared, featured=True)
