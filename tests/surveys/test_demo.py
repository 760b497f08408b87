"""The demo surveys of Acme's pilot: the baseline and the pulse, scheduled and answered in
the past, one breakdown too small to show, and something open for the demo logins;
seeding twice adds nothing."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from demo.programs import ACME_PROGRAM, DIGITAL
from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.models import Participant, Topic
from sessions.models import MentoringSession
from surveys.models import (
    Answer,
    Assignment,
    HeldResponse,
    Question,
    Response,
    Schedule,
    Story,
    Survey,
)
from surveys.services import iso_week

pytestmark = pytest.mark.django_db

MENTOR, MENTEE = Participant.Role.MENTOR, Participant.Role.MENTEE
DEMO_LOGINS = ("mentor@acme.example", "mentee@acme.example")


@pytest.fixture
def seeded(demo_module):
    return Organization.objects.get(slug="acme")


def _surveys():
    program_surveys = Survey.objects.filter(program__name=ACME_PROGRAM)
    return {s.kind: s for s in program_surveys.prefetch_related("schedules", "questions")}


def _question(survey, type_):
    (question,) = [q for q in survey.questions.all() if q.type == type_]
    return question


def test_the_pilot_has_the_baseline_and_the_pulse_scheduled_by_its_manager(seeded):
    with tenant_context(organization=seeded):
        surveys = _surveys()
        assert set(surveys) == {Survey.Kind.BASELINE, Survey.Kind.PULSE, Survey.Kind.END}
        baseline, pulse = surveys[Survey.Kind.BASELINE], surveys[Survey.Kind.PULSE]
        assert not baseline.anonymous and pulse.anonymous
        # The library is there; the program's end-of-program survey is a copy of it.
        library = Survey.objects.filter(program=None).values_list("kind", flat=True)
        assert Survey.Kind.END in set(library)

        (start,) = baseline.schedules.all()
        (each,) = pulse.schedules.all()
        assert (start.anchor, start.offset_days, start.audience, start.open_days) == (
            Schedule.Anchor.COHORT_START,
            0,
            Schedule.Audience.BOTH,
            21,
        )
        assert (each.anchor, each.audience) == (
            Schedule.Anchor.EACH_SESSION,
            Schedule.Audience.BOTH,
        )
        pilot = start.cohort
        assert pilot.name == "Pilot" and each.cohort == pilot
        first_logged = MentoringSession.objects.filter(pair__cohort=pilot).aggregate(
            at=Min("logged_at")
        )["at"]
        for schedule in (start, each):
            assert schedule.created_by.user.email == "manager@acme.example"
            # Set up before the pilot's first session, not when the demo was seeded.
            assert schedule.created_at < first_logged
            assert schedule.survey.created_at <= schedule.created_at


def test_about_85_percent_answered_the_baseline_mentees_low_mentors_high(seeded):
    with tenant_context(organization=seeded):
        baseline = _surveys()[Survey.Kind.BASELINE]
        assignments = Assignment.objects.filter(schedule__survey=baseline)
        pilot_people = Participant.objects.filter(
            cohort__program__name=ACME_PROGRAM,
            cohort__name="Pilot",
            status=Participant.Status.APPROVED,
        )
        assert assignments.count() == pilot_people.count() == 40
        responses = Response.objects.filter(schedule__survey=baseline).select_related("participant")
        assert responses.count() == assignments.filter(answered=True).count() == 34
        # Attributed: each answer knows its person, once, and came in while it was open.
        windows = {a.participant_id: a for a in assignments}
        assert len({r.participant_id for r in responses}) == 34
        for response in responses:
            window = windows[response.participant_id]
            assert window.answered
            assert iso_week(window.opens_at) <= response.week <= iso_week(window.closes_at)
            assert response.department and response.level

        grid = _question(baseline, Question.Type.SKILLS)
        digital = set(
            Topic.objects.filter(name__in=DIGITAL).values_list("pk", flat=True).iterator()
        )
        levels = defaultdict(list)
        for answer in Answer.objects.filter(question=grid).select_related("response"):
            assert answer.value  # every topic of the program, rated
            for topic_id, level in answer.value.items():
                if int(topic_id) in digital:
                    levels[answer.response.role].append(level)
        assert set(levels[MENTEE]) <= {1, 2, 3} and set(levels[MENTOR]) <= {3, 4, 5}

        texts = Answer.objects.filter(question=_question(baseline, Question.Type.TEXT))
        assert all(isinstance(t.value, str) and t.value.endswith(".") for t in texts)


def test_one_breakdown_is_too_small_to_show(seeded):
    """Only four mentors said what would make the program a success for them: in the
    breakdown by role of that question, the mentors' cell (fewer than five) is hidden
    (and, by complementary suppression, the mentees' with it)."""
    with tenant_context(organization=seeded):
        baseline = _surveys()[Survey.Kind.BASELINE]
        question = _question(baseline, Question.Type.TEXT)
        by_role = Counter(
            Answer.objects.filter(question=question).values_list("response__role", flat=True)
        )
        assert by_role[MENTOR] == 4
        assert by_role[MENTEE] >= 5


def test_about_70_percent_answered_the_pulse_anonymously(seeded):
    now = timezone.now()
    with tenant_context(organization=seeded):
        pulse = _surveys()[Survey.Kind.PULSE]
        (schedule,) = pulse.schedules.all()
        held = MentoringSession.objects.filter(
            pair__cohort=schedule.cohort, status=MentoringSession.Status.HELD
        )
        assert held.count() >= 50
        assignments = Assignment.objects.filter(schedule=schedule).select_related("participant")
        # Both of the pair, after each session held, from when it was logged.
        assert assignments.count() == 2 * held.count()
        logged = {f"session:{s.pk}": s for s in held.select_related("pair")}
        for assignment in assignments:
            session = logged[assignment.occasion]
            assert assignment.opens_at == session.logged_at
            assert assignment.participant_id in (session.pair.mentor_id, session.pair.mentee_id)

        responses = Response.objects.filter(schedule=schedule)
        answered = assignments.filter(answered=True).count()
        assert answered == round(0.7 * assignments.count())
        # Released five of a role at a time as they came in; the rest still sealed.
        held = Counter(
            HeldResponse.objects.filter(schedule=schedule).values_list("role", flat=True)
        )
        assert responses.count() + sum(held.values()) == answered
        assert all(count < 5 for count in held.values())
        by_role = Counter(responses.values_list("role", flat=True))
        assert by_role[MENTOR] % 5 == by_role[MENTEE] % 5 == 0
        # Anonymous: cohort, role and week, nothing about the person.
        assert not responses.exclude(participant=None).exists()
        assert set(responses.values_list("department", flat=True)) == {""}
        assert set(responses.values_list("level", flat=True)) == {None}
        assert set(responses.values_list("role", flat=True)) == {MENTOR, MENTEE}
        assert all(week <= iso_week(now) for week in responses.values_list("week", flat=True))
        assert len(set(responses.values_list("week", flat=True))) >= 8  # months of answers

        worth = Counter(
            Answer.objects.filter(question=_question(pulse, Question.Type.AGREEMENT)).values_list(
                "value", flat=True
            )
        )
        assert set(worth) <= {2, 3, 4, 5}
        assert worth[4] + worth[5] >= 0.7 * sum(worth.values())
        assert worth[2] < worth[3]
        takeaways = Answer.objects.filter(question=_question(pulse, Question.Type.TEXT))
        assert 0.3 * answered < takeaways.count() < 0.9 * answered


def test_priya_and_tom_each_have_a_pulse_to_answer(seeded, client):
    now = timezone.now()
    with tenant_context(organization=seeded):
        for email in DEMO_LOGINS:
            mine = Assignment.objects.filter(participant__employee__email=email)
            waiting = mine.filter(answered=False, opens_at__lte=now, closes_at__gt=now)
            (open_one,) = waiting.select_related("schedule__survey")
            assert open_one.schedule.survey.kind == Survey.Kind.PULSE
            # Everything else they were asked, they answered.
            assert mine.filter(answered=True).count() == mine.count() - 1
            assert mine.filter(schedule__survey__kind=Survey.Kind.BASELINE, answered=True).exists()
    for email in DEMO_LOGINS:
        client.force_login(User.objects.get(email=email))
        page = client.get(reverse("surveys_respond:mine", kwargs={"org_slug": "acme"}))
        assert page.status_code == 200
        assert len(page.context["open"]) == 1


def test_the_pilot_answered_the_end_of_program_survey_and_shared_stories(seeded):
    with tenant_context(organization=seeded):
        end = _surveys()[Survey.Kind.END]
        (schedule,) = end.schedules.all()
        assert schedule.created_by.user.email == "manager@acme.example"
        assignments = Assignment.objects.filter(schedule=schedule)
        assert assignments.count() == 40
        # Closed, and released by the worker: nothing of it is still sealed.
        assert not assignments.filter(closes_at__gt=timezone.now()).exists()
        assert not HeldResponse.objects.filter(schedule=schedule).exists()
        responses = Response.objects.filter(schedule=schedule)
        answered = assignments.filter(answered=True).count()
        assert responses.count() == answered >= 25
        # Each role is a group large enough to show.
        roles = Counter(responses.values_list("role", flat=True))
        assert roles[MENTOR] >= 5 and roles[MENTEE] >= 5
        # Answered in past weeks: the dashboard's figures as of yesterday count them.
        yesterday = timezone.now() - timedelta(days=1)
        assert max(responses.values_list("week", flat=True)) < iso_week(yesterday)
        stories = Story.objects.filter(program=end.program)
        assert stories.count() >= 2
        assert stories.filter(featured=True).count() == 2
