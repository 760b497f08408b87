"""Answering surveys through the pages, and the mentors' safe channel for concerns.

The world (tests/conftest.py): the Reverse program's Pilot cohort, mentors Ann, Bea and
Cy, mentees Dan and Eve, one topic. Ann and Dan are a published pair.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import services as matching
from matching.models import Pair
from notifications.models import Notification, OutboxMessage
from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.models import Topic
from surveys import tasks
from surveys.models import (
    Answer,
    Assignment,
    Concern,
    HeldResponse,
    Response,
    Survey,
)
from surveys.sealing import unseal
from surveys.services import schedule_create
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.helpers import (
    answer_url,
    assign,
    full_answer,
    login,
    make_schedule,
    make_survey,
    sign_in_people,
    survey_questions,
)

pytestmark = pytest.mark.django_db

ANONYMOUS = "This survey is anonymous: your answers keep your cohort and role, never your name."
ATTRIBUTED = "This survey is not anonymous"


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture
def survey(acme, world):
    with tenant_context(organization=acme):
        return make_survey(acme, world["program"])


@pytest.fixture
def schedule(acme, world, survey):
    with tenant_context(organization=acme):
        return make_schedule(acme, survey, world["cohort"])


@pytest.fixture
def ann_asked(acme, world, schedule):
    """Ann's open assignment; everyone of the world can sign in."""
    sign_in_people(acme)
    with tenant_context(organization=acme):
        return assign(acme, schedule, world["Ann"])


def opened(acme) -> list[dict]:
    """The held anonymous answers as the worker opens them (the test holds the key)."""
    with tenant_context(organization=acme):
        return [
            {"role": held.role, **unseal(held.sealed, held.sealed_with)}
            for held in HeldResponse.objects.all()
        ]


def _counts(acme):
    """How many sets of answers are stored, held or released, and how many answers."""
    held = opened(acme)
    with tenant_context(organization=acme):
        return (
            Response.objects.count() + len(held),
            Answer.objects.count() + sum(len(h["answers"]) for h in held),
        )


def _answered(acme, assignment) -> bool:
    with tenant_context(organization=acme):
        return Assignment.objects.get(pk=assignment.pk).answered


# --- My surveys ----------------------------------------------------------------------------


def test_my_surveys_lists_my_open_assignments_with_their_due_date(client, acme, world, ann_asked):
    with tenant_context(organization=acme):
        bea_asked = assign(acme, ann_asked.schedule, world["Bea"])
    login(client, "ann")

    page = client.get(reverse("surveys_respond:mine", kwargs={"org_slug": "acme"}))

    body = page.content.decode()
    assert page.status_code == 200
    assert "How did it go?" in body
    assert answer_url(ann_asked) in body
    assert answer_url(bea_asked) not in body  # Bea's, not Ann's
    assert ann_asked.closes_at.strftime("%-d %b %Y") in body
    assert "My surveys" in body  # the navigation


def test_an_answered_survey_is_listed_as_answered_without_its_answers(
    client, acme, survey, ann_asked
):
    login(client, "ann")
    client.post(answer_url(ann_asked), full_answer(survey, text="Zq9MyOwnWords"))

    body = client.get(reverse("surveys_respond:mine", kwargs={"org_slug": "acme"})).content
    body = body.decode()

    assert "answered" in body
    assert answer_url(ann_asked) not in body  # nothing left to open
    assert "Zq9MyOwnWords" not in body


# --- Answering -----------------------------------------------------------------------------


def test_the_anonymity_statement_comes_before_the_first_question(client, acme, ann_asked):
    login(client, "ann")

    body = client.get(answer_url(ann_asked)).content.decode()

    assert ANONYMOUS in body
    assert body.index(ANONYMOUS) < body.index("The program was worth my time.")
    # Every type of question is there, as the right kind of input, sections as fieldsets.
    assert body.count('type="radio"') == 5 + 11 + 2
    assert body.count('type="checkbox"') == 2 + 1  # two choices, the story consent
    assert "<textarea" in body and "<select" in body
    assert "<legend>Overall</legend>" in body and "<legend>Details</legend>" in body
    assert "Strongly agree" in body
    assert "Generative AI tools" in body  # the program's topic, to rate
    assert "You may share my story (without my name unless I say so)" in body
    assert 'class="required"' in body


def test_an_attributed_survey_says_so_before_the_first_question(client, acme, world, ann_asked):
    with tenant_context(organization=acme):
        Survey.objects.filter(pk=ann_asked.schedule.survey_id).update(anonymous=False)
    login(client, "ann")

    body = client.get(answer_url(ann_asked)).content.decode()

    assert ATTRIBUTED in body and ANONYMOUS not in body
    assert body.index(ATTRIBUTED) < body.index("The program was worth my time.")


def test_answering_end_to_end_stores_the_answers_without_the_person(
    client, acme, world, survey, ann_asked
):
    login(client, "ann")

    response = client.post(answer_url(ann_asked), full_answer(survey), follow=True)

    assert "Thank you: your answers are in." in response.content.decode()
    assert _answered(acme, ann_asked)
    (held,) = opened(acme)
    with tenant_context(organization=acme):
        assert not Response.objects.exists()  # held until released with others
        questions = {str(q.pk): q.type for q in survey.questions.all()}
        topic = Topic.objects.get()
    assert held["role"] == "mentor" and held["story_consent"] is False
    assert set(held) == {"role", "week", "answers", "story_consent"}  # nobody in it
    assert {questions[pk]: value for pk, value in held["answers"].items()} == {
        "agreement": 4,
        "nps": 9,
        "single": "Topics",
        "multiple": ["Skills", "Contacts"],
        "skills": {str(topic.pk): 3},
        "text": "It changed how I plan.",
    }


def test_an_attributed_answer_keeps_the_person(client, acme, world, survey, ann_asked):
    with tenant_context(organization=acme):
        Survey.objects.filter(pk=survey.pk).update(anonymous=False)
    login(client, "ann")

    client.post(answer_url(ann_asked), full_answer(survey))

    with tenant_context(organization=acme):
        assert not HeldResponse.objects.exists()  # nothing to hide: stored at once
        stored = Response.objects.get()
    assert stored.participant_id == world["Ann"].pk
    assert (stored.department, stored.level) == ("Sales", 2)


def test_bad_input_is_refused_with_every_message_keeping_what_was_typed(
    client, acme, survey, ann_asked
):
    questions = survey_questions(survey)
    data = full_answer(survey, text="Zq9KeepThisText")
    del data[f"q{questions['agreement'].pk}"]  # required, missing
    data[f"q{questions['nps'].pk}"] = "12"  # out of range
    login(client, "ann")

    response = client.post(answer_url(ann_asked), data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in body
    assert "“The program was worth my time.” needs an answer." in body
    assert "“Would you recommend it?”: that answer is not one of the options." in body
    assert "Zq9KeepThisText" in body  # what was typed is still there
    assert 'value="Topics" id="id_q{}_1" checked'.format(questions["single"].pk) in body
    assert _counts(acme) == (0, 0)
    assert not _answered(acme, ann_asked)


def test_a_survey_is_answered_once(client, acme, survey, ann_asked):
    login(client, "ann")
    client.post(answer_url(ann_asked), full_answer(survey))

    again = client.post(answer_url(ann_asked), full_answer(survey), follow=True)

    assert "You have already answered this survey." in again.content.decode()
    assert _counts(acme)[0] == 1
    assert (
        "You have already answered this survey."
        in client.get(answer_url(ann_asked)).content.decode()
    )


def test_a_closed_survey_is_refused(client, acme, world, survey, schedule):
    sign_in_people(acme)
    with tenant_context(organization=acme):
        late = assign(acme, schedule, world["Ann"], opened_days_ago=20, open_days=14)
    login(client, "ann")

    page = client.get(answer_url(late)).content.decode()
    posted = client.post(answer_url(late), full_answer(survey)).content.decode()

    assert "This survey is closed" in page and "<textarea" not in page
    assert "This survey is closed" in posted
    assert _counts(acme) == (0, 0)
    assert not _answered(acme, late)
    listed = client.get(reverse("surveys_respond:mine", kwargs={"org_slug": "acme"}))
    assert "closed" in listed.content.decode()


def test_another_persons_assignment_is_404(client, acme, survey, ann_asked):
    login(client, "bea")

    assert client.get(answer_url(ann_asked)).status_code == 404
    assert client.post(answer_url(ann_asked), full_answer(survey)).status_code == 404
    assert _counts(acme) == (0, 0)
    assert not _answered(acme, ann_asked)


def test_story_consent_is_recorded(client, acme, survey, ann_asked):
    login(client, "ann")

    client.post(answer_url(ann_asked), full_answer(survey, consent=True))

    assert [held["story_consent"] for held in opened(acme)] == [True]


def test_the_beat_task_makes_assignments_in_every_organisation_despite_one_failing(
    acme, world, survey, schedule, monkeypatch
):
    with tenant_context(organization=acme):
        cohort = world["cohort"]
        cohort.start_date = timezone.localdate() - timedelta(days=2)
        cohort.save(update_fields=["start_date"])
    broken = OrganizationFactory(slug="broken", name="Broken")
    real = tasks.services.assignments_create

    def assignments_create(*, organization, now):
        if organization == broken:
            raise RuntimeError("boom")
        return real(organization=organization, now=now)

    monkeypatch.setattr(tasks.services, "assignments_create", assignments_create)

    with pytest.raises(RuntimeError, match="broken"):
        tasks.surveys_tick()

    with tenant_context(organization=acme):
        assert Assignment.objects.filter(schedule=schedule).count() == 5
    assert Organization.objects.filter(slug="broken").exists()


def test_a_schedule_already_due_asks_its_people_at_once_not_at_the_next_tick(
    acme, world, survey, django_capture_on_commit_callbacks
):
    """Scheduled "at the cohort's start" for a cohort that started two days ago: the five
    people are asked, and notified in the app, as soon as the schedule is saved (the
    outbox hands it to the worker; tasks run eagerly here)."""
    sign_in_people(acme)
    with tenant_context(organization=acme):
        cohort = world["cohort"]
        cohort.start_date = timezone.localdate() - timedelta(days=2)
        cohort.save(update_fields=["start_date"])
        with django_capture_on_commit_callbacks(execute=True):
            schedule = schedule_create(
                survey=survey,
                cohort=cohort,
                anchor="cohort_start",
                offset_days=0,
                audience="both",
                open_days=14,
                actor=None,
            )

        assert Assignment.objects.filter(schedule=schedule).count() == 5
        notified = Notification.objects.filter(kind="survey_due")
        assert sorted(n.recipient.user.email for n in notified) == [
            f"{name}@acme.example" for name in ("ann", "bea", "cy", "dan", "eve")
        ]
        assert OutboxMessage.objects.get(key=f"survey-schedule:{schedule.pk}").sent_at


def test_the_beat_runs_the_task_hourly(settings):
    (entry,) = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("surveys_tick")
    ]
    assert entry["task"] == "surveys.tasks.surveys_tick"
    assert entry["schedule"].minute == {20} and len(entry["schedule"].hour) == 24


# --- Concerns ------------------------------------------------------------------------------


@pytest.fixture
def pair(acme, world):
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
    assert pair.mentor_id == world["Ann"].pk
    sign_in_people(acme)
    return pair


def concern_url(pair):
    return reverse("surveys_respond:concern", kwargs={"org_slug": "acme", "pair_id": pair.pk})


def queue_url(program):
    return reverse(
        "surveys_respond:concerns", kwargs={"org_slug": "acme", "program_id": program.pk}
    )


def _concerns(acme):
    with tenant_context(organization=acme):
        return list(Concern.objects.all())


def test_the_mentor_raises_a_concern_by_name(client, acme, world, pair):
    login(client, "ann")

    form = client.get(concern_url(pair)).content.decode()
    sent = client.post(concern_url(pair), {"text": "Zq9Named", "how": "named"}, follow=True)

    assert "By name" in form and "Anonymously" in form
    assert "never sees it" in form
    assert "with your name" in sent.content.decode()
    (concern,) = _concerns(acme)
    assert (concern.author_id, concern.pair_id) == (world["Ann"].pk, pair.pk)
    assert concern.program_id == world["program"].pk and concern.status == "new"


def test_an_anonymous_concern_stores_no_author_nor_pair(client, acme, world, pair):
    login(client, "ann")

    client.post(concern_url(pair), {"text": "Zq9Anonymous", "how": "anonymous"})

    (concern,) = _concerns(acme)
    assert concern.author_id is None and concern.pair_id is None
    assert concern.text == "Zq9Anonymous" and concern.program_id == world["program"].pk


def test_an_empty_concern_is_refused(client, acme, pair):
    login(client, "ann")

    response = client.post(concern_url(pair), {"text": "  ", "how": "named"})

    assert response.status_code == 200 and _concerns(acme) == []


@pytest.mark.parametrize("who", ["dan", "eve"])
def test_only_the_mentor_of_the_pair_may_raise_one(client, acme, pair, who):
    """Dan, the mentee, and Eve, outside the pair: the page does not exist for them."""
    login(client, who)

    assert client.get(concern_url(pair)).status_code == 404
    assert client.post(concern_url(pair), {"text": "x", "how": "named"}).status_code == 404
    assert _concerns(acme) == []


def test_the_mentee_never_sees_the_concern(client, acme, world, pair):
    login(client, "ann")
    client.post(concern_url(pair), {"text": "Zq9AboutDan", "how": "named"})
    login(client, "dan")
    dan_participant = world["Dan"]

    pages = [
        reverse("mentoring:pair", kwargs={"org_slug": "acme", "pair_id": pair.pk}),
        reverse("home:my_programs", kwargs={"org_slug": "acme"}),
        reverse(
            "home:participation",
            kwargs={"org_slug": "acme", "participant_id": dan_participant.pk},
        ),
        reverse("notifications:list", kwargs={"org_slug": "acme"}),
        reverse("surveys_respond:mine", kwargs={"org_slug": "acme"}),
        queue_url(world["program"]),
    ]
    for url in pages:
        response = client.get(url)
        assert b"Zq9AboutDan" not in response.content, url
    assert client.get(queue_url(world["program"])).status_code == 403
    # (tests/surveys/test_anonymity.py tries every route for it.)


def test_the_managers_queue_names_a_named_concern_and_nothing_of_an_anonymous_one(
    client, acme, world, pair, world_manager
):
    login(client, "ann")
    client.post(concern_url(pair), {"text": "Zq9Anonymous", "how": "anonymous"})
    client.force_login(world_manager)

    anonymous_only = client.get(queue_url(world["program"])).content.decode()

    assert "Zq9Anonymous" in anonymous_only and "Anonymous" in anonymous_only
    assert "Ann Junior" not in anonymous_only and "Dan Senior" not in anonymous_only

    login(client, "ann")
    client.post(concern_url(pair), {"text": "Zq9Named", "how": "named"})
    client.force_login(world_manager)
    both = client.get(queue_url(world["program"])).content.decode()
    assert "Zq9Named" in both and "Ann Junior" in both and "Dan Senior" in both


def test_the_manager_follows_a_concern_up(client, acme, world, pair, world_manager):
    login(client, "ann")
    client.post(concern_url(pair), {"text": "Zq9Anonymous", "how": "anonymous"})
    (concern,) = _concerns(acme)
    url = reverse(
        "surveys_respond:concern_follow_up", kwargs={"org_slug": "acme", "concern_id": concern.pk}
    )
    # Neither the mentor nor an executive may change it.
    client.post(url, {"status": "resolved", "follow_up": "no"})
    assert client.post(url, {"status": "resolved"}).status_code == 403
    executive = MembershipFactory(organization=acme, is_executive=True, is_participant=False)
    client.force_login(executive.user)
    assert client.post(url, {"status": "resolved"}).status_code == 403
    assert client.get(queue_url(world["program"])).status_code == 403
    assert _concerns(acme)[0].status == "new"

    client.force_login(world_manager)
    assert client.get(url).status_code == 405
    page = client.post(
        url, {"status": "following_up", "follow_up": "Spoke to the cohort"}, follow=True
    )

    (concern,) = _concerns(acme)
    assert (concern.status, concern.follow_up) == ("following_up", "Spoke to the cohort")
    body = page.content.decode()
    assert "Follow-up saved." in body and "Following up" in body
    assert client.post(url, {"status": "bogus"}).status_code == 302
    assert _concerns(acme)[0].status == "following_up"


def test_the_hourly_task_tells_people_a_survey_waits_once_and_not_after_they_answer(
    client, acme, world, survey, ann_asked, django_capture_on_commit_callbacks
):
    from notifications.kinds import still_due
    from notifications.models import Notification
    from surveys.tasks import surveys_tick

    surveys_tick()
    surveys_tick()  # again: still one notice

    with tenant_context(organization=acme):
        notice = Notification.objects.select_related("recipient__user").get(kind="survey_due")
    assert notice.recipient.user.email == "ann@acme.example"
    assert notice.url == answer_url(ann_asked)
    with tenant_context(organization=acme):
        assert still_due(notice, timezone.now())
    login(client, "ann")
    client.post(answer_url(ann_asked), full_answer(survey))
    with tenant_context(organization=acme):
        # Answered before the email went out: withdrawn rather than sent.
        assert not still_due(notice, timezone.now())
