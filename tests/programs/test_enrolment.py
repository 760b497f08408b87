"""Enrolment end to end through the views: invitations from the directory, the
application, the decision, training and the funnel; and what is refused, and why."""

import csv
import io
import re
from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from directory.models import Employee
from organizations.models import Invitation, Membership
from organizations.tenancy import tenant_context
from programs.eligibility import eligibility_problems
from programs.enrolment import participant_invite_many
from programs.models import (
    Cohort,
    Participant,
    ParticipantTopic,
    Program,
    ProgramManager,
    ProgramTopic,
    Topic,
    TrainingCompletion,
    TrainingModule,
)
from programs.services import program_change_status, program_save
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(acme):
    return MembershipFactory(organization=acme, is_program_manager=True, is_participant=False)


@pytest.fixture
def program(acme, manager):
    """A recruiting reverse program: mentors at level 3 or below, mentees at 6 or above,
    with two topics, the default training and one pilot cohort."""
    with tenant_context(organization=acme):
        topics = [
            Topic.objects.create(organization=acme, name=name)
            for name in ("Generative AI tools", "Strategy")
        ]
        program = program_save(
            program=Program(
                organization=acme,
                name="Reverse pilot",
                start_date=date(2027, 1, 1),
                end_date=date(2027, 9, 30),
                mentor_max_level=3,
                mentee_min_level=6,
                status=Program.Status.RECRUITING,
            ),
            topics=topics,
            managers=[manager],
        )
        Cohort.objects.create(
            organization=acme,
            program=program,
            name="Pilot",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
        )
    return program


def _employee(acme, number, level, email=None, **extra):
    with tenant_context(organization=acme):
        return Employee.objects.create(
            organization=acme,
            employee_number=number,
            name=f"Person {number}",
            email=email if email is not None else f"p{number}@acme.example",
            job_level=level,
            **extra,
        )


def _member_for(acme, employee):
    user = UserFactory(email=employee.email)
    MembershipFactory(organization=acme, user=user)
    return user


def _cohort(acme, program):
    with tenant_context(organization=acme):
        return Cohort.objects.get(program=program)


def _base(program, cohort):
    return f"/o/acme/programs/{program.pk}/cohorts/{cohort.pk}/"


def _participants(acme):
    with tenant_context(organization=acme):
        return list(Participant.objects.select_related("employee").order_by("pk"))


def _application(acme, program, **changes):
    with tenant_context(organization=acme):
        topics = {t.name: t.pk for t in Topic.objects.all()}
    data = {
        f"teach_{topics['Generative AI tools']}": "4",
        f"learn_{topics['Strategy']}": "5",
        "goals": "Help a leader use AI tools with confidence.",
        "expectations": "To learn how strategy is made.",
        "availability": ["tue-morning", "thu-afternoon"],
        "time_zone": "Europe/Berlin",
        "languages": "English, German",
        "capacity": "2",
        "accepts_ground_rules": "on",
    }
    data.update(changes)
    return data


def _invite_one(client, manager, program, cohort, who, role="mentor"):
    client.force_login(manager.user)
    return client.post(
        _base(program, cohort) + "invite/",
        {"mode": "one", "person": who, "role": role},
        follow=True,
    )


def test_a_member_invited_as_mentor_is_emailed_a_link_to_apply(
    client, acme, manager, program, django_capture_on_commit_callbacks
):
    junior = _employee(acme, "E1", level=2)
    _member_for(acme, junior)
    cohort = _cohort(acme, program)

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite_one(client, manager, program, cohort, "E1")

    (participant,) = _participants(acme)
    assert (participant.role, participant.status) == ("mentor", "invited")
    assert "Invited Person E1." in response.content.decode()
    (email,) = mail.outbox
    assert email.to == [junior.email]
    assert "Reverse pilot" in email.subject
    assert f"/o/acme/programs/mine/{participant.pk}/" in email.body


def test_someone_not_yet_a_member_gets_an_invitation_to_join_as_a_participant(
    client, acme, manager, program
):
    _employee(acme, "E2", level=2, email="newcomer@acme.example")
    cohort = _cohort(acme, program)

    _invite_one(client, manager, program, cohort, "newcomer@acme.example")

    with tenant_context(organization=acme):
        invitation = Invitation.objects.get(email="newcomer@acme.example")
    assert invitation.is_participant and not invitation.is_program_manager
    assert len(_participants(acme)) == 1


def test_an_ineligible_person_is_refused_with_the_reason(client, acme, manager, program):
    _employee(acme, "E3", level=7)
    cohort = _cohort(acme, program)

    response = _invite_one(client, manager, program, cohort, "E3", role="mentor")

    assert (
        "Mentors in this program are at job level 3 or below; Person E3 is at level 7."
        in response.content.decode()
    )
    assert _participants(acme) == []


def test_someone_outside_the_directory_cannot_be_invited(client, acme, manager, program):
    cohort = _cohort(acme, program)

    response = _invite_one(client, manager, program, cohort, "stranger@example.com")

    assert "Only people in the directory can take part" in response.content.decode()
    assert _participants(acme) == []


def test_tenure_rules_count_completed_years(acme, program):
    program.mentor_max_tenure_years = 2
    hired = _employee(acme, "E4", level=1, hire_date=date(2024, 6, 1))

    assert (
        eligibility_problems(
            program=program, employee=hired, role="mentor", today=date(2026, 5, 31)
        )
        == []
    )
    assert eligibility_problems(
        program=program, employee=hired, role="mentor", today=date(2027, 6, 1)
    ) == ["Mentors in this program have at most 2 years at the company; Person E4 has 3 years."]


def test_inviting_by_filters_previews_first_and_changes_nothing_until_confirmed(
    client, acme, manager, program
):
    for number, level in (("S1", 6), ("S2", 8), ("S3", 4)):
        _employee(acme, number, level=level, location="Berlin")
    _employee(acme, "S4", level=9, location="Madrid")
    cohort = _cohort(acme, program)
    client.force_login(manager.user)
    filters = {"mode": "filter", "role": "mentee", "location": "Berlin", "min_level": "4"}

    preview = client.post(_base(program, cohort) + "invite/", filters)

    page = preview.content.decode()
    assert "2 people will be invited as mentee." in page
    assert "Mentees in this program are at job level 6 or above; Person S3 is at level 4." in page
    assert _participants(acme) == []

    client.post(_base(program, cohort) + "invite/", {**filters, "confirm": "yes"})

    assert sorted(p.employee.employee_number for p in _participants(acme)) == ["S1", "S2"]


def test_inviting_by_filters_needs_at_least_one_filter(client, acme, manager, program):
    _employee(acme, "S5", level=6)
    cohort = _cohort(acme, program)
    client.force_login(manager.user)

    response = client.post(
        _base(program, cohort) + "invite/", {"mode": "filter", "role": "mentee"}, follow=True
    )

    assert "Choose at least one filter" in response.content.decode()
    assert _participants(acme) == []


@pytest.fixture
def invited_mentor(client, acme, manager, program):
    """A member, invited as mentor, signed in as themselves."""
    employee = _employee(acme, "M1", level=2)
    user = _member_for(acme, employee)
    _invite_one(client, manager, program, _cohort(acme, program), "M1")
    client.force_login(user)
    (participant,) = _participants(acme)
    return participant


def test_an_application_saves_the_profile_and_waits_for_review(
    client, acme, program, invited_mentor
):
    url = f"/o/acme/programs/mine/{invited_mentor.pk}/apply/"

    response = client.post(url, _application(acme, program), follow=True)

    assert "Application sent" in response.content.decode()
    with tenant_context(organization=acme):
        participant = Participant.objects.get()
        chosen = sorted(
            (t.kind, t.topic.name, t.level)
            for t in ParticipantTopic.objects.select_related("topic")
        )
    assert participant.status == "applied"
    assert participant.languages == ["English", "German"]
    assert participant.availability == ["tue-morning", "thu-afternoon"]
    assert participant.capacity == 2
    assert participant.ground_rules_accepted_at is not None
    # A mentor in a reverse program teaches; what they want to learn is not asked.
    assert chosen == [("teach", "Generative AI tools", 4)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"accepts_ground_rules": ""}, "Accept the program&#x27;s ground rules to take part."),
        ({"teach_TOPIC": ""}, "Choose at least one topic you can teach."),
        ({"capacity": "4"}, "Select a valid choice. 4 is not one of the available choices."),
        ({"availability": []}, "This field is required."),
        (
            {"demographics-gender": "woman"},
            "Tick the box to agree, or leave these questions empty.",
        ),
    ],
)
def test_a_bad_application_says_why_and_saves_nothing(
    client, acme, program, invited_mentor, change, message
):
    data = _application(acme, program)
    if "teach_TOPIC" in change:
        data = {k: ("" if k.startswith("teach_") else v) for k, v in data.items()}
    else:
        data.update(change)

    response = client.post(f"/o/acme/programs/mine/{invited_mentor.pk}/apply/", data)

    assert message in response.content.decode()
    with tenant_context(organization=acme):
        participant = Participant.objects.get()
        assert not ParticipantTopic.objects.exists()
    assert (participant.status, participant.goals) == ("invited", "")


def test_demographic_answers_are_kept_only_with_consent_and_never_shown_to_the_manager(
    client, acme, manager, program, invited_mentor
):
    data = {
        **_application(acme, program),
        "demographics-gender": "woman",
        "demographics-consent": "on",
    }
    client.post(f"/o/acme/programs/mine/{invited_mentor.pk}/apply/", data)
    client.force_login(manager.user)

    review = client.get(f"/o/acme/programs/{program.pk}/people/{invited_mentor.pk}/")

    with tenant_context(organization=acme):
        employee = Employee.objects.select_related("demographics").get(
            pk=invited_mentor.employee_id
        )
    assert employee.demographics.gender == "woman"
    assert "Help a leader use AI tools" in review.content.decode()
    assert "woman" not in review.content.decode().lower()


@pytest.fixture
def applied_mentor(client, acme, program, invited_mentor):
    client.post(f"/o/acme/programs/mine/{invited_mentor.pk}/apply/", _application(acme, program))
    return invited_mentor


def _decide(client, manager, program, participant, decision, message=""):
    client.force_login(manager.user)
    return client.post(
        f"/o/acme/programs/{program.pk}/people/{participant.pk}/decide/",
        {"decision": decision, "message": message},
        follow=True,
    )


def test_declining_needs_a_message_which_the_person_receives(
    client, acme, manager, program, applied_mentor, django_capture_on_commit_callbacks
):
    refused = _decide(client, manager, program, applied_mentor, "reject")
    assert "Tell the person why" in refused.content.decode()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, manager, program, applied_mentor, "reject", "The pilot is full of mentors.")

    with tenant_context(organization=acme):
        assert Participant.objects.get().status == "rejected"
    (email,) = mail.outbox
    assert "The pilot is full of mentors." in email.body
    assert "The pilot is full of mentors." in email.alternatives[0][0]


def test_approval_respects_the_cohort_size_limit(client, acme, manager, program, applied_mentor):
    cohort = _cohort(acme, program)
    with tenant_context(organization=acme):
        for number in ("M2", "M3"):
            Participant.objects.create(
                organization=acme,
                program=program,
                cohort=cohort,
                employee=_employee(acme, number, level=1),
                role="mentor",
                status="approved",
            )
        Cohort.objects.filter(pk=cohort.pk).update(size_limit=2)

    response = _decide(client, manager, program, applied_mentor, "approve")

    assert "Pilot is full: 2 people are approved already." in response.content.decode()
    with tenant_context(organization=acme):
        assert Participant.objects.get(pk=applied_mentor.pk).status == "applied"


def test_training_then_the_funnel_and_the_move_to_matching(
    client, acme, manager, program, applied_mentor
):
    _decide(client, manager, program, applied_mentor, "approve")
    with tenant_context(organization=acme):
        required = list(
            TrainingModule.objects.filter(program=program, required_before_matching=True)
            .exclude(audience="mentees")
            .values_list("pk", flat=True)
        )
        mentees_only = TrainingModule.objects.get(program=program, audience="mentees")
    client.force_login(_user_of(acme, applied_mentor))

    refused = client.post(
        f"/o/acme/programs/mine/{applied_mentor.pk}/training/{mentees_only.pk}/", follow=True
    )
    for module_id in required:
        client.post(f"/o/acme/programs/mine/{applied_mentor.pk}/training/{module_id}/")

    assert "This module is not part of your training." in refused.content.decode()
    with tenant_context(organization=acme):
        assert TrainingCompletion.objects.count() == len(required) == 2
    client.force_login(manager.user)
    funnel = client.get(_base(program, _cohort(acme, program)) + "?stage=trained")
    counts = [count for _stage, _label, count in funnel.context["funnel"]]
    assert counts == [1, 1, 1, 1, 0, 0]
    assert [p.pk for p in funnel.context["page"].object_list] == [applied_mentor.pk]

    # Only a mentor is ready: matching needs a mentee too.
    with tenant_context(organization=acme), pytest.raises(Exception, match="Missing: mentee"):
        program_change_status(program=program, to=Program.Status.MATCHING)


def _user_of(acme, participant):
    from accounts.models import User

    with tenant_context(organization=acme):
        email = Employee.objects.get(pk=participant.employee_id).email
    return User.objects.get(email=email)


def test_the_profile_is_fixed_once_matching_starts(client, acme, program, applied_mentor):
    with tenant_context(organization=acme):
        Cohort.objects.filter(program=program).update(matching_started_at=timezone.now())

    response = client.post(
        f"/o/acme/programs/mine/{applied_mentor.pk}/apply/",
        _application(acme, program, goals="Changed my mind"),
        follow=True,
    )

    assert "This profile can no longer be changed." in response.content.decode()
    with tenant_context(organization=acme):
        assert Participant.objects.get().goals != "Changed my mind"


def test_a_person_sees_only_their_own_places(client, acme, program, applied_mentor):
    colleague = _employee(acme, "C1", level=2)
    client.force_login(_member_for(acme, colleague))

    assert client.get(f"/o/acme/programs/mine/{applied_mentor.pk}/").status_code == 404
    assert client.get(f"/o/acme/programs/mine/{applied_mentor.pk}/apply/").status_code == 404
    assert "No programs yet" in client.get("/o/acme/programs/mine/").content.decode()


def test_self_nomination_only_while_open_and_only_when_eligible(client, acme, program):
    cohort = _cohort(acme, program)
    senior = _employee(acme, "N1", level=7)
    client.force_login(_member_for(acme, senior))
    url = f"/o/acme/programs/cohorts/{cohort.pk}/join/"

    closed = client.get(url)
    with tenant_context(organization=acme):
        Cohort.objects.filter(pk=cohort.pk).update(self_nomination_open=True)
    as_mentor = client.post(url, {"role": "mentor"})
    as_mentee = client.post(url, {"role": "mentee"})

    assert "Not open for applications" in closed.content.decode()
    assert "Person N1 is at level 7." in as_mentor.content.decode()
    (participant,) = _participants(acme)
    assert as_mentee.url == f"/o/acme/programs/mine/{participant.pk}/apply/"
    assert (participant.role, participant.source) == ("mentee", "self_nominated")


def test_the_cohort_export_lists_what_the_page_shows(
    client, acme, manager, program, applied_mentor
):
    client.force_login(manager.user)

    response = client.get(_base(program, _cohort(acme, program)) + "people.csv?stage=applied")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["employee_number"], r["status"], r["applied"], r["approved"]) for r in rows] == [
        ("M1", "applied", "yes", "no")
    ]


def test_a_new_program_gets_training_guides_and_agendas_and_a_copy_keeps_them(acme, manager):
    with tenant_context(organization=acme):
        program = program_save(
            program=Program(
                organization=acme, name="P", start_date=date(2027, 1, 1), end_date=date(2027, 6, 1)
            ),
            topics=[],
            managers=[manager],
        )
        from programs.services import program_copy

        copy = program_copy(program=program)
        kinds = sorted(copy.resources.values_list("kind", flat=True))
        assert copy.training.filter(required_before_matching=True).count() == 3
        assert kinds == ["agenda", "agenda", "agenda", "guide", "guide"]
        assert ProgramManager.objects.filter(program=copy).count() == 1
        assert not ProgramTopic.objects.filter(program=copy).exists()
        assert Membership.objects.filter(pk=manager.pk).exists()


def test_preferences_name_people_from_the_directory_and_reach_matching(
    client, acme, program, invited_mentor
):
    wanted = _employee(acme, "W1", level=8, email="wanted@acme.example")
    url = f"/o/acme/programs/mine/{invited_mentor.pk}/apply/"

    refused = client.post(url, _application(acme, program, asks_for="ghost@acme.example"))
    client.post(url, _application(acme, program, asks_for="Wanted@acme.example"))

    assert "Not in the directory: ghost@acme.example." in refused.content.decode()
    with tenant_context(organization=acme):
        participant = Participant.objects.get()
        from matching.problem import build_problem

        cohort = Cohort.objects.get()
        Participant.objects.filter(pk=participant.pk).update(status="approved")
        TrainingModule.objects.update(required_before_matching=False)
        problem, _people = build_problem(cohort)
    assert participant.asks_for == [wanted.pk]
    assert problem.mentors[0].asks_for == frozenset({wanted.pk})


# --- My profile, with the voluntary answers --------------------------------------------


def _with_answers(acme, program, **changes):
    return {
        **_application(acme, program),
        "demographics-gender": "woman",
        "demographics-lgbtq": "prefer_not",
        "demographics-consent": "on",
        **changes,
    }


def _demographics(acme, participant):
    with tenant_context(organization=acme):
        employee = Employee.objects.get(pk=participant.employee_id)
        return getattr(employee, "demographics", None)


def test_a_profile_with_demographic_answers_saves_again_as_the_page_shows_it(
    client, acme, program, invited_mentor
):
    url = f"/o/acme/programs/mine/{invited_mentor.pk}/apply/"
    client.post(url, _with_answers(acme, program))

    page = client.get(url).content.decode()
    consent = re.search(r'<input[^>]*name="demographics-consent"[^>]*>', page).group(0)
    assert "checked" in consent  # answers on file were given with consent
    # What the browser sends back: the pre-filled answers and the ticked box.
    saved = client.post(url, _with_answers(acme, program, goals="Now also data."), follow=True)

    assert "Profile saved." in saved.content.decode()
    with tenant_context(organization=acme):
        assert Participant.objects.get().goals == "Now also data."
    assert _demographics(acme, invited_mentor).gender == "woman"


@pytest.mark.parametrize("consent", ["on", ""])
def test_clearing_every_demographic_answer_withdraws_them(
    client, acme, program, invited_mentor, consent
):
    url = f"/o/acme/programs/mine/{invited_mentor.pk}/apply/"
    client.post(url, _with_answers(acme, program))
    assert _demographics(acme, invited_mentor) is not None

    saved = client.post(
        url, {**_application(acme, program), "demographics-consent": consent}, follow=True
    )

    assert "Profile saved." in saved.content.decode()
    assert _demographics(acme, invited_mentor) is None


def test_a_profile_that_cannot_be_saved_keeps_the_demographic_answers(
    client, acme, program, invited_mentor
):
    url = f"/o/acme/programs/mine/{invited_mentor.pk}/apply/"
    client.post(url, _with_answers(acme, program))

    client.post(url, {**_application(acme, program), "availability": []})

    assert _demographics(acme, invited_mentor).gender == "woman"


# --- Cohort size ------------------------------------------------------------------------


def _approved(acme, program, cohort, *numbers):
    with tenant_context(organization=acme):
        for number in numbers:
            Participant.objects.create(
                organization=acme,
                program=program,
                cohort=cohort,
                employee=_employee(acme, number, level=1),
                role="mentor",
                status="approved",
            )


def test_self_nomination_into_a_full_cohort_is_refused(client, acme, program):
    cohort = _cohort(acme, program)
    _approved(acme, program, cohort, "F1", "F2")
    with tenant_context(organization=acme):
        Cohort.objects.filter(pk=cohort.pk).update(size_limit=2, self_nomination_open=True)
    client.force_login(_member_for(acme, _employee(acme, "N2", level=7)))
    url = f"/o/acme/programs/cohorts/{cohort.pk}/join/"

    page = client.get(url).content.decode()
    refused = client.post(url, {"role": "mentee"}).content.decode()
    mine = client.get("/o/acme/programs/mine/").content.decode()

    assert "This cohort is full" in page and "This cohort is full" in refused
    assert "all its places are taken" in refused
    assert "Open for applications" not in mine
    assert len(_participants(acme)) == 2


def test_self_nomination_service_refuses_a_full_cohort(acme, program):
    cohort = _cohort(acme, program)
    _approved(acme, program, cohort, "F1", "F2")
    senior = _employee(acme, "N3", level=7)
    from django.core.exceptions import ValidationError

    from programs.enrolment import participant_nominate

    with tenant_context(organization=acme):
        Cohort.objects.filter(pk=cohort.pk).update(size_limit=2, self_nomination_open=True)
        cohort.refresh_from_db()
        with pytest.raises(ValidationError, match="Pilot is full: 2 people are approved"):
            participant_nominate(cohort=cohort, employee=senior, role="mentee")


def test_the_invite_preview_shows_places_left_and_warns_beyond_them(client, acme, manager, program):
    cohort = _cohort(acme, program)
    with tenant_context(organization=acme):
        Cohort.objects.filter(pk=cohort.pk).update(size_limit=2)
    for number in ("S1", "S2", "S3", "S4"):
        _employee(acme, number, level=7, location="Berlin")
    client.force_login(manager.user)
    filters = {"mode": "filter", "role": "mentee", "location": "Berlin"}

    preview = client.post(_base(program, cohort) + "invite/", filters).content.decode()
    done = client.post(
        _base(program, cohort) + "invite/", {**filters, "confirm": "yes"}, follow=True
    ).content.decode()

    assert "2 places left of 2" in preview
    # Nothing is sent before the confirmation: the preview speaks of what will be.
    assert "Once you confirm, 4 people will be invited or waiting for a decision." in preview
    assert "now invited" not in preview
    assert "4 people are now invited or waiting for a decision. 2 places are left." in done
    # Invitations may go beyond the places (not everyone applies); approvals may not.
    assert len(_participants(acme)) == 4


def test_nobody_more_is_invited_into_a_full_cohort(client, acme, manager, program):
    cohort = _cohort(acme, program)
    _approved(acme, program, cohort, "F1", "F2")
    with tenant_context(organization=acme):
        Cohort.objects.filter(pk=cohort.pk).update(size_limit=2)
    _employee(acme, "E9", level=2)

    response = _invite_one(client, manager, program, cohort, "E9")

    assert "Pilot is full: 2 people are approved already." in response.content.decode()
    assert len(_participants(acme)) == 2


def test_a_cohort_limit_below_the_people_approved_is_refused(client, acme, manager, program):
    cohort = _cohort(acme, program)
    _approved(acme, program, cohort, "F1", "F2", "F3")
    client.force_login(manager.user)
    url = f"/o/acme/programs/{program.pk}/cohorts/{cohort.pk}/edit/"
    form = {"name": "Pilot", "start_date": "2027-01-01", "end_date": "2027-06-30"}

    refused = client.post(url, {**form, "size_limit": "2"})
    accepted = client.post(url, {**form, "size_limit": "3"})

    assert "3 people are approved in this cohort already" in refused.content.decode()
    assert accepted.status_code == 302
    with tenant_context(organization=acme):
        assert Cohort.objects.get(pk=cohort.pk).size_limit == 3


# --- The program must be open for enrolment ---------------------------------------------


def _set_status(acme, program, status):
    with tenant_context(organization=acme):
        Program.objects.filter(pk=program.pk).update(status=status)


def test_nobody_is_invited_into_a_draft_program(client, acme, manager, program):
    _set_status(acme, program, Program.Status.DRAFT)
    _employee(acme, "D1", level=2)
    cohort = _cohort(acme, program)

    one = _invite_one(client, manager, program, cohort, "D1")
    page = client.get(_base(program, cohort)).content.decode()

    assert "still a draft: move it to Recruiting before enrolling anyone" in one.content.decode()
    assert "The program is still a draft." in page
    assert _participants(acme) == []


def test_nobody_nominates_themselves_into_a_draft_program(client, acme, program):
    _set_status(acme, program, Program.Status.DRAFT)
    cohort = _cohort(acme, program)
    with tenant_context(organization=acme):
        Cohort.objects.filter(pk=cohort.pk).update(self_nomination_open=True)
    client.force_login(_member_for(acme, _employee(acme, "D2", level=7)))

    response = client.post(f"/o/acme/programs/cohorts/{cohort.pk}/join/", {"role": "mentee"})

    assert "Not open for applications" in response.content.decode()
    assert _participants(acme) == []


def test_an_invitation_left_in_a_draft_program_cannot_be_answered(
    client, acme, program, invited_mentor
):
    _set_status(acme, program, Program.Status.DRAFT)

    response = client.post(
        f"/o/acme/programs/mine/{invited_mentor.pk}/apply/", _application(acme, program)
    )

    assert "move it to Recruiting before enrolling anyone" in response.content.decode()
    with tenant_context(organization=acme):
        assert Participant.objects.get().status == "invited"


def test_a_program_with_people_invited_cannot_go_back_to_draft(
    client, acme, manager, program, invited_mentor
):
    client.force_login(manager.user)

    response = client.post(f"/o/acme/programs/{program.pk}/status/", {"to": "draft"}, follow=True)

    assert "cannot go back to draft" in response.content.decode()
    with tenant_context(organization=acme):
        assert Program.objects.get(pk=program.pk).status == "recruiting"
        Participant.objects.update(status="withdrawn")  # still someone who was invited
        with pytest.raises(Exception, match="cannot go back to draft"):
            program_change_status(program=program, to=Program.Status.DRAFT)


def test_a_program_nobody_was_invited_to_can_go_back_to_draft(acme, program):
    with tenant_context(organization=acme):
        assert program_change_status(program=program, to=Program.Status.DRAFT).status == "draft"


# --- Approval, by today's rules ---------------------------------------------------------


def test_approval_rechecks_eligibility_with_the_rules_of_today(
    client, acme, manager, program, applied_mentor
):
    with tenant_context(organization=acme):
        Program.objects.filter(pk=program.pk).update(mentor_max_level=1)

    response = _decide(client, manager, program, applied_mentor, "approve")

    assert (
        "Mentors in this program are at job level 1 or below; Person M1 is at level 2."
        in response.content.decode()
    )
    with tenant_context(organization=acme):
        assert Participant.objects.get(pk=applied_mentor.pk).status == "applied"


def test_the_cohort_export_does_not_let_a_name_run_as_a_formula(
    client, acme, manager, program, applied_mentor
):
    with tenant_context(organization=acme):
        Employee.objects.filter(pk=applied_mentor.employee_id).update(
            name='=HYPERLINK("http://evil.example","Click")', employee_number="+M1"
        )
    client.force_login(manager.user)

    response = client.get(_base(program, _cohort(acme, program)) + "people.csv")

    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert row["name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["employee_number"] == "'+M1"


def test_a_dry_run_reports_what_inviting_would_do_and_keeps_and_sends_nothing(
    acme, manager, program, django_capture_on_commit_callbacks
):
    member = _employee(acme, "D1", 2)
    _member_for(acme, member)
    newcomer = _employee(acme, "D2", 1)
    too_senior = _employee(acme, "D3", 7)
    cohort = _cohort(acme, program)

    def invite(*, dry_run):
        with (
            tenant_context(organization=acme),
            django_capture_on_commit_callbacks(execute=True) as callbacks,
        ):
            outcome = participant_invite_many(
                cohort=cohort,
                employees=[member, newcomer, too_senior],
                role=Participant.Role.MENTOR,
                actor=manager,
                dry_run=dry_run,
            )
        return outcome, callbacks

    preview, callbacks = invite(dry_run=True)

    assert [p.employee for p in preview.invited] == [member, newcomer]
    assert [employee for employee, _reason in preview.skipped] == [too_senior]
    assert _participants(acme) == []
    assert callbacks == [] and mail.outbox == []
    with tenant_context(organization=acme):
        assert not Invitation.objects.exists()

    done, _callbacks = invite(dry_run=False)

    assert [p.employee for p in done.invited] == [member, newcomer]
    assert [p.employee for p in _participants(acme)] == [member, newcomer]
    assert len(mail.outbox) == 2  # the member's link to apply, the newcomer's invitation


def test_an_applicant_who_finished_the_required_modules_is_trained_before_approval(
    client, acme, manager, program, applied_mentor
):
    with tenant_context(organization=acme):
        required = list(
            TrainingModule.objects.filter(program=program, required_before_matching=True)
            .exclude(audience="mentees")
            .values_list("pk", flat=True)
        )
    client.force_login(_user_of(acme, applied_mentor))
    for module_id in required:
        client.post(f"/o/acme/programs/mine/{applied_mentor.pk}/training/{module_id}/")
    client.force_login(manager.user)

    page = client.get(_base(program, _cohort(acme, program)) + "?stage=trained")

    assert [p.pk for p in page.context["page"].object_list] == [applied_mentor.pk]
    assert {s: n for s, _label, n in page.context["funnel"]}["trained"] == 1
    row = re.search(r"<tr>.*?</tr>", page.content.decode().split("<tbody>")[-1], re.S).group()
    assert "Applied" in row and "Yes" in row and "Not yet" not in row
    assert "Trained means every module marked required before matching" in page.content.decode()


def _time_zone_groups(html: str) -> list[tuple[str, list[str], list[str]]]:
    """The time zone select's groups, in order: (label, option values, selected values)."""
    select = re.search(r'<select name="time_zone".*?</select>', html, re.S).group()
    return [
        (
            label,
            re.findall(r'<option value="([^"]*)"', options),
            re.findall(r'<option value="([^"]*)" selected', options),
        )
        for label, options in re.findall(
            r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S
        )
    ]


def test_the_time_zone_list_offers_likely_zones_first_without_javascript(
    client, acme, program, invited_mentor
):
    acme.time_zone = "Asia/Tokyo"
    acme.save(update_fields=["time_zone"])
    url = f"/o/acme/programs/mine/{invited_mentor.pk}/apply/"

    # No zone chosen yet: the organisation's comes first, and nothing is marked selected,
    # so the browser shows it (and the page's script may select the browser's instead).
    groups = _time_zone_groups(client.get(url).content.decode())
    assert groups[0] == ("Likely", ["Asia/Tokyo"], [])
    assert [label for label, _zones, _selected in groups[1:4]] == [
        "Africa",
        "America",
        "Antarctica",
    ]
    assert groups[-1][0] == "Other" and "UTC" in groups[-1][1]
    every = [zone for _label, zones, _selected in groups for zone in zones]
    assert len(every) == len(set(every)) > 500  # each zone once
    assert "Asia/Tokyo" not in {label: zones for label, zones, _s in groups}["Asia"]

    # The person's own zone, then the organisation's.
    with tenant_context(organization=acme):
        Employee.objects.filter(pk=invited_mentor.employee_id).update(time_zone="Europe/Berlin")
    groups = _time_zone_groups(client.get(url).content.decode())
    assert groups[0] == ("Likely", ["Europe/Berlin", "Asia/Tokyo"], ["Europe/Berlin"])

    # A refused form shows what was sent first, selected.
    response = client.post(url, _application(acme, program, time_zone="America/Lima", goals=""))
    groups = _time_zone_groups(response.content.decode())
    assert groups[0] == ("Likely", ["America/Lima", "Asia/Tokyo"], ["America/Lima"])
