"""Retention: an organisation keeps the personal data of an ended program for
``personal_data_retention_months`` (blank: keeps it); the nightly sweep then anonymises
that program's participation data, once per program.

Decided (README, "Personal data: export, erasure, retention"): a program has ended on its
end date. Past the retention, for every place in it, ``participations_anonymise`` (as an
erasure does), and, since the people themselves are not erased (they may be colleagues
still, and in other programs), what the pairs wrote to each other is removed too: shared
notes and the messages' threads deleted, goal titles, commitment texts, session agendas,
places and video links, pairing explanations and reasons emptied. The directory entry and
the account are untouched, and so is the fact that the person took part (role, cohort,
pair, session dates and ratings, training), which the reports count: their figures stay.
"""

import calendar
from datetime import date

from django.db import transaction
from django.utils import timezone

from matching.models import Pair, Unplaced
from organizations.audit import audit_record
from organizations.models import AuditAction, Organization
from privacy.models import AnonymisedProgram
from privacy.services.anonymise import participations_anonymise
from programs.models import Participant, Program
from sessions.models import Commitment, Conversation, Goal, MentoringSession, Note


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def programs_past_retention(*, organization: Organization, today: date | None = None):
    months = organization.personal_data_retention_months
    if not months:
        return Program.objects.none()
    today = today or timezone.localdate(timezone=organization.zone)
    return (
        Program.objects.filter(end_date__lt=months_before(today, months))
        .exclude(pk__in=AnonymisedProgram.objects.values("program"))
        .order_by("end_date", "pk")
    )


def retention_sweep(*, organization: Organization, today: date | None = None) -> int:
    """Anonymise every program past the organisation's retention, each in its own
    transaction. The number of programs anonymised."""
    done = 0
    for program_id in programs_past_retention(organization=organization, today=today).values_list(
        "pk", flat=True
    ):
        done += program_anonymise(organization=organization, program_id=program_id)
    return done


@transaction.atomic
def program_anonymise(*, organization: Organization, program_id: int) -> int:
    """One program's participation data. 1 if it was done now, 0 if it already was."""
    program = Program.objects.select_for_update().get(pk=program_id)
    if AnonymisedProgram.objects.filter(program=program).exists():
        return 0
    participant_ids = list(Participant.objects.filter(program=program).values_list("pk", flat=True))
    done = participations_anonymise(organization=organization, participant_ids=participant_ids)
    pairs = Pair.objects.filter(program=program)
    sessions = MentoringSession.objects.filter(pair__in=pairs)
    # The thread goes whole (its messages with it, ON DELETE CASCADE in the database).
    done["conversations"], _ = Conversation.objects.filter(pair__in=pairs).delete()
    done["shared_notes"], _ = Note.objects.filter(
        session__in=sessions, visibility=Note.Visibility.SHARED
    ).delete()
    done["sessions"] = sessions.update(agenda="", location="", video_link="")
    done["goals"] = Goal.objects.filter(pair__in=pairs).update(title="")
    done["commitments"] = Commitment.objects.filter(pair__in=pairs).update(text="")
    done["pairs"] = pairs.update(explanation="", override_reason="", end_reason="")
    Unplaced.objects.filter(participant__in=participant_ids).update(reason="")
    AnonymisedProgram.objects.create(
        organization=organization, program=program, participants=len(participant_ids)
    )
    audit_record(
        organization=organization,
        actor=None,
        action=AuditAction.PARTICIPATION_ANONYMISED,
        target=program,
        details={
            "retention_months": organization.personal_data_retention_months,
            "counts": {key: value for key, value in sorted(done.items()) if value},
        },
    )
    return 1
