from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from organizations.tenancy import tenant_context
from programs.models import Cohort, Participant, Program, ProgramManager, ProgramTopic, Topic
from surveys.models import Assignment, Question, Schedule, Survey
from surveys.services import schedule_create
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(acme, client, program):
    """A program manager of the program (they reach only the programs they manage)."""
    membership = MembershipFactory(organization=acme, is_program_manager=True, is_participant=False)
    with tenant_context(organization=acme):
        ProgramManager.objects.create(organization=acme, program=program, membership=membership)
    client.force_login(membership.user)
    return membership.user


@pytest.fixture
def program(acme):
    with tenant_context(organization=acme):
        program = Program.objects.create(
            organization=acme,
            name="Reverse",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 9, 30),
        )
        for name in ("Generative AI tools", "Social media"):
            topic = Topic.objects.create(organization=acme, name=name)
            ProgramTopic.objects.create(organization=acme, program=program, topic=topic)
        Cohort.objects.create(
            organization=acme,
            program=program,
            name="Pilot",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
        )
    return program


@pytest.fixture
def survey(acme, program):
    with tenant_context(organization=acme):
        return Survey.objects.create(organization=acme, program=program, title="Check-in")


def _in(acme, query):
    with tenant_context(organization=acme):
        return query()


def _questions(acme, survey):
    return _in(acme, lambda: list(Question.objects.filter(survey=survey).order_by("position")))


def _question_data(**changes):
    data = {"type": "agreement", "text": "It was worth my time.", "help_text": "", "section": ""}
    data.update(changes)
    data.setdefault("required", "on")
    return data


def test_the_library_is_added_once_with_its_five_templates_and_their_questions(
    client, acme, manager, program
):
    page = client.get(f"/o/acme/surveys/programs/{program.pk}/")
    assert "Add the template library" in page.content.decode()

    client.post(f"/o/acme/surveys/programs/{program.pk}/library/")
    again = client.post(f"/o/acme/surveys/programs/{program.pk}/library/", follow=True)

    templates = _in(
        acme, lambda: {s.kind: s.questions.count() for s in Survey.objects.filter(program=None)}
    )
    assert templates == {"baseline": 2, "pulse": 2, "midpoint": 5, "end": 6, "follow_up": 3}
    assert "already has every template" in again.content.decode()
    assert "Use this template" in again.content.decode()


def test_using_a_template_gives_the_program_its_own_copy_of_the_questions(
    client, acme, manager, program
):
    client.post(f"/o/acme/surveys/programs/{program.pk}/library/")
    template = _in(acme, lambda: Survey.objects.get(program=None, kind="end"))

    response = client.post(f"/o/acme/surveys/programs/{program.pk}/templates/{template.pk}/use/")

    copy = _in(acme, lambda: Survey.objects.get(program=program))
    assert response.url == f"/o/acme/surveys/{copy.pk}/"
    copied = [(q.section, q.type, q.text, q.story) for q in _questions(acme, copy)]
    assert copied == [(q.section, q.type, q.text, q.story) for q in _questions(acme, template)]
    assert copied[-1][3] is True  # the story question stays one
    assert len(_questions(acme, template)) == 6  # the template keeps its own


def test_a_library_template_cannot_be_changed_in_the_editor(client, acme, manager, program):
    client.post(f"/o/acme/surveys/programs/{program.pk}/library/")
    template = _in(acme, lambda: Survey.objects.get(program=None, kind="pulse"))

    response = client.post(
        f"/o/acme/surveys/{template.pk}/questions/new/", _question_data(), follow=True
    )

    assert "Library templates stay as they are" in response.content.decode()
    assert len(_questions(acme, template)) == 2


def test_a_manager_creates_a_blank_survey_and_adds_questions(client, acme, manager, program):
    response = client.post(
        f"/o/acme/surveys/programs/{program.pk}/new/",
        {"title": "Our own", "intro": "", "anonymous": "on"},
    )
    survey = _in(acme, lambda: Survey.objects.get(program=program))
    assert (survey.title, survey.kind, survey.anonymous) == ("Our own", "custom", True)

    client.post(
        f"/o/acme/surveys/{survey.pk}/questions/new/",
        _question_data(type="single", text="Which day?", choices="Monday\n\nTuesday\nMonday\n"),
    )
    page = client.get(response.url).content.decode()

    [question] = _questions(acme, survey)
    assert (question.type, question.choices) == ("single", ["Monday", "Tuesday"])
    assert "Which day?" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"type": "single", "choices": ""}, "needs at least two choices"),
        ({"type": "multiple", "choices": "Only one"}, "needs at least two choices"),
        ({"type": "agreement", "choices": "Yes\nNo"}, "has no choices: remove them"),
        ({"type": "nps", "story": "on"}, "Only a free-text question can ask for a story"),
    ],
)
def test_a_question_with_bad_choices_is_refused_and_nothing_is_saved(
    client, acme, manager, survey, changes, message
):
    response = client.post(f"/o/acme/surveys/{survey.pk}/questions/new/", _question_data(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _questions(acme, survey) == []


def test_questions_are_reordered_and_a_new_one_joins_its_section(client, acme, manager, survey):
    url = f"/o/acme/surveys/{survey.pk}/questions/new/"
    client.post(url, _question_data(text="A", section="Overall"))
    client.post(url, _question_data(text="B", section="Skills"))
    client.post(url, _question_data(text="C", section="Overall"))
    assert [q.text for q in _questions(acme, survey)] == ["A", "C", "B"]

    b = _questions(acme, survey)[2]
    client.post(f"/o/acme/surveys/{survey.pk}/questions/{b.pk}/move/", {"direction": "up"})
    client.post(f"/o/acme/surveys/{survey.pk}/questions/{b.pk}/move/", {"direction": "up"})
    client.post(f"/o/acme/surveys/{survey.pk}/questions/{b.pk}/move/", {"direction": "up"})

    questions = _questions(acme, survey)
    assert [q.text for q in questions] == ["B", "A", "C"]
    assert [q.position for q in questions] == [0, 1, 2]


def test_a_question_is_edited_and_removed_after_confirmation(client, acme, manager, survey):
    client.post(f"/o/acme/surveys/{survey.pk}/questions/new/", _question_data(text="Typo"))
    [question] = _questions(acme, survey)
    url = f"/o/acme/surveys/{survey.pk}/questions/{question.pk}/"

    page = client.get(url).content.decode()
    client.post(url, _question_data(text="Fixed", type="text", story="on", required=""))
    [edited] = _questions(acme, survey)
    client.post(url, {"action": "delete"})

    assert "Remove for good" in page and "<details>" in page
    assert (edited.text, edited.type, edited.story) == ("Fixed", "text", True)
    assert _questions(acme, survey) == []


def test_the_preview_says_it_is_anonymous_first_and_grids_the_programs_topics(
    client, acme, manager, survey
):
    client.post(
        f"/o/acme/surveys/{survey.pk}/questions/new/",
        _question_data(type="skills", text="How confident are you?"),
    )

    page = client.get(f"/o/acme/surveys/{survey.pk}/preview/").content.decode()

    statement = "This survey is anonymous: your answers keep your cohort and role, never your name."
    assert statement in page
    assert page.index(statement) < page.index("How confident are you?")
    assert "Generative AI tools" in page and "Social media" in page
    assert 'name="q' in page and "disabled" in page


def test_the_preview_of_an_attributed_survey_says_so(client, acme, manager, survey):
    client.post(f"/o/acme/surveys/{survey.pk}/settings/", {"title": "Check-in", "intro": "Hello"})

    page = client.get(f"/o/acme/surveys/{survey.pk}/preview/").content.decode()

    assert "This survey is attributed: your name is kept with your answers." in page
    assert "anonymous: your answers" not in page


def _schedule_data(cohort, **changes):
    data = {
        "cohort": cohort.pk,
        "anchor": "cohort_end",
        "offset_days": "0",
        "audience": "both",
        "open_days": "14",
    }
    data.update(changes)
    return data


def test_a_survey_is_sent_to_a_cohort_and_then_keeps_its_anonymity(
    client, acme, manager, program, survey
):
    cohort = _in(acme, lambda: Cohort.objects.get(program=program))
    client.post(f"/o/acme/surveys/{survey.pk}/questions/new/", _question_data())

    page = client.post(
        f"/o/acme/surveys/{survey.pk}/schedules/new/", _schedule_data(cohort), follow=True
    ).content.decode()
    client.post(f"/o/acme/surveys/{survey.pk}/settings/", {"title": "Check-in"})

    schedule = _in(acme, lambda: Schedule.objects.get(survey=survey))
    assert (schedule.cohort_id, schedule.anchor, schedule.open_days) == (
        cohort.pk,
        "cohort_end",
        14,
    )
    assert "Scheduled for Pilot" in page and "When the cohort ends" in page
    assert _in(acme, lambda: Survey.objects.get(pk=survey.pk).anonymous) is True


def test_a_survey_without_questions_is_not_sent(client, acme, manager, program, survey):
    cohort = _in(acme, lambda: Cohort.objects.get(program=program))

    page = client.post(
        f"/o/acme/surveys/{survey.pk}/schedules/new/", _schedule_data(cohort), follow=True
    ).content.decode()

    assert "The survey has no questions yet." in page
    assert not _in(acme, lambda: Schedule.objects.exists())


def test_a_survey_is_not_sent_to_another_programs_cohort(client, acme, manager, program, survey):
    client.post(f"/o/acme/surveys/{survey.pk}/questions/new/", _question_data())
    with tenant_context(organization=acme):
        other = Program.objects.create(
            organization=acme, name="Other", start_date=date(2027, 1, 1), end_date=date(2027, 9, 30)
        )
        elsewhere = Cohort.objects.create(
            organization=acme,
            program=other,
            name="Elsewhere",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
        )

    response = client.post(f"/o/acme/surveys/{survey.pk}/schedules/new/", _schedule_data(elsewhere))

    assert "Choose one of this program&#x27;s cohorts." in response.content.decode()
    assert not _in(acme, lambda: Schedule.objects.exists())


def test_a_schedule_is_removed_only_while_nobody_has_answered(
    client, acme, manager, program, survey
):
    with tenant_context(organization=acme):
        cohort = Cohort.objects.get(program=program)
        Question.objects.create(organization=acme, survey=survey, type="agreement", text="Q")
        schedules = [
            Schedule.objects.create(
                organization=acme, survey=survey, cohort=cohort, anchor="cohort_end"
            )
            for _ in range(2)
        ]
        for schedule, answered in zip(schedules, (False, True), strict=True):
            Assignment.objects.create(
                organization=acme,
                schedule=schedule,
                participant=Participant.objects.create(
                    organization=acme,
                    program=program,
                    cohort=cohort,
                    role="mentor",
                    employee=_employee(acme, f"E{schedule.pk}"),
                ),
                occasion="cohort_end",
                opens_at=timezone.now(),
                closes_at=timezone.now(),
                answered=answered,
            )
    unanswered, answered = schedules

    page = client.get(f"/o/acme/surveys/{survey.pk}/").content.decode()
    client.post(f"/o/acme/surveys/{survey.pk}/schedules/{unanswered.pk}/delete/")
    refused = client.post(
        f"/o/acme/surveys/{survey.pk}/schedules/{answered.pk}/delete/", follow=True
    ).content.decode()

    assert page.count("Remove the schedule") == 1
    assert "Kept: people have answered" in page
    assert "People have answered on this schedule" in refused
    assert _in(acme, lambda: list(Schedule.objects.all())) == [answered]


def _employee(acme, number):
    from directory.models import Employee

    return Employee.objects.create(
        organization=acme, employee_number=number, name=number, email=f"{number}@acme.example"
    )


def test_executives_and_participants_cannot_build_surveys(client, acme, program, survey):
    executive = MembershipFactory(organization=acme, is_executive=True, is_participant=False).user
    participant = MembershipFactory(organization=acme, is_participant=True).user
    urls = [
        f"/o/acme/surveys/programs/{program.pk}/",
        f"/o/acme/surveys/{survey.pk}/",
        f"/o/acme/surveys/{survey.pk}/preview/",
    ]
    for person in (executive, participant):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 403, url
        assert (
            client.post(f"/o/acme/surveys/{survey.pk}/questions/new/", _question_data()).status_code
            == 403
        )
    assert _questions(acme, survey) == []


def test_another_organisations_manager_gets_404(client, acme, globex, program, survey):
    outsider = MembershipFactory(organization=globex, is_program_manager=True).user
    client.force_login(outsider)

    assert client.get(f"/o/globex/surveys/{survey.pk}/").status_code == 404
    assert client.get(f"/o/globex/surveys/programs/{program.pk}/").status_code == 404
    assert client.get(f"/o/acme/surveys/{survey.pk}/").status_code == 404


def test_the_program_page_links_to_its_surveys(client, acme, manager, program, survey):
    page = client.get(f"/o/acme/programs/{program.pk}/").content.decode()
    surveys = client.get(f"/o/acme/surveys/programs/{program.pk}/").content.decode()

    assert f"/o/acme/surveys/programs/{program.pk}/" in page
    assert "Check-in" in surveys and "anonymous" in surveys


@pytest.mark.parametrize("offset_days", ["400", "-91"])
def test_a_schedule_opening_too_far_from_its_cohort_is_refused_on_the_days_field(
    client, acme, manager, program, survey, offset_days
):
    cohort = _in(acme, lambda: Cohort.objects.get(program=program))
    client.post(f"/o/acme/surveys/{survey.pk}/questions/new/", _question_data())

    response = client.post(
        f"/o/acme/surveys/{survey.pk}/schedules/new/",
        _schedule_data(cohort, offset_days=offset_days),
    )

    assert (
        "The days after the start or end must be from -90 to 365."
        in (response.context["schedule_form"].errors["offset_days"])
    )
    assert not _in(acme, lambda: Schedule.objects.filter(survey=survey).exists())


def test_the_schedule_service_refuses_an_opening_too_far_from_its_cohort(
    client, acme, manager, program, survey
):
    cohort = _in(acme, lambda: Cohort.objects.get(program=program))
    client.post(f"/o/acme/surveys/{survey.pk}/questions/new/", _question_data())

    with tenant_context(organization=acme), pytest.raises(ValidationError, match="-90 to 365"):
        schedule_create(
            survey=survey, cohort=cohort, anchor="cohort_end", offset_days=4000,
            audience="both", open_days=14, actor=None,
        )  # fmt: skip
