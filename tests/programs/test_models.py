"""The status predicates templates and views ask instead of comparing strings."""

import pytest
from django.template.loader import render_to_string

from programs.models import Participant, ParticipantTopic, Program

PARTICIPANT_STATUS_PREDICATES = {
    Participant.Status.INVITED: "is_invited",
    Participant.Status.APPLIED: "is_applied",
    Participant.Status.APPROVED: "is_approved",
    Participant.Status.REJECTED: "is_rejected",
    Participant.Status.WITHDRAWN: None,
}


@pytest.mark.parametrize("status", Program.Status)
def test_matching_is_open_only_while_the_program_matches_or_runs(status):
    program = Program(status=status)
    assert program.matching_open is (status in ("matching", "active"))
    assert program.is_draft is (status == "draft")


def test_a_status_offered_as_a_next_step_knows_it_is_draft():
    assert Program.Status.DRAFT.is_draft
    assert not any(status.is_draft for status in Program.Status if status != "draft")


@pytest.mark.parametrize("status", Participant.Status)
def test_exactly_the_participants_own_status_predicate_holds(status):
    participant = Participant(status=status)
    held = {name for name in PARTICIPANT_STATUS_PREDICATES.values() if name}
    assert {name for name in held if getattr(participant, name)} == (
        {PARTICIPANT_STATUS_PREDICATES[status]} - {None}
    )


def test_roles_sources_and_topic_kinds_read_plainly():
    mentor = Participant(role="mentor", source="self_nominated")
    mentee = Participant(role="mentee", source="invited")
    assert (mentor.is_mentor, mentor.is_mentee, mentor.is_self_nominated) == (True, False, True)
    assert (mentee.is_mentor, mentee.is_mentee, mentee.is_self_nominated) == (False, True, False)
    assert Participant.Role.MENTOR.is_mentor and not Participant.Role.MENTEE.is_mentor
    assert ParticipantTopic(kind="teach").can_teach
    assert not ParticipantTopic(kind="learn").can_teach


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("invited", "You're invited to Upskill"),
        ("approved", "You're in: Upskill"),
        ("rejected", "About your place in Upskill"),
        ("withdrawn", "About your place in Upskill"),
    ],
)
def test_the_participant_email_subject_follows_what_happened_to_the_place(kind, subject):
    context = {"kind": Participant.Status(kind), "program": Program(name="Upskill")}
    rendered = render_to_string("programs/email/participant_subject.txt", context)
    assert " ".join(rendered.split()) == subject


def test_availability_is_shown_in_words_in_the_weeks_order():
    from programs.models import Participant

    person = Participant(availability=["tue-morning", "mon-afternoon", "sat-dawn"])

    assert person.availability_labels == ["Monday afternoon", "Tuesday morning"]
