"""What erasure and retention both do to a person's places in programs (their
"participation data"): what they wrote alone is removed, what they wrote to others or
answered is cut from them, and what the reports count is kept."""

from collections import Counter

from organizations.models import Organization
from privacy.services.confidential import writing_forget
from programs.models import Participant
from sessions.models import Reflection
from surveys.models import Concern, Response


def participations_anonymise(*, organization: Organization, participant_ids: list[int]) -> Counter:
    """For each place: the application's own words and choices emptied (goals,
    expectations, answers, availability, languages, time zone, wishes about partners, the
    manager's message to them); reflections keep their rating and lose their text;
    private notes and the messages they sent deleted; attributed survey responses cut
    from them (no participant, department or level: the answers stay, as anonymous ones);
    named concerns made anonymous (no author, no pair)."""
    done = Counter()
    if not participant_ids:
        return done
    done["applications"] = Participant.objects.filter(pk__in=participant_ids).update(
        goals="",
        expectations="",
        decision_message="",
        availability=[],
        languages=[],
        time_zone="",
        answers={},
        asks_for=[],
        avoids=[],
    )
    done["reflections"] = Reflection.objects.filter(participant__in=participant_ids).update(
        learned="", taught=""
    )
    done["private_writing_deleted"] = writing_forget(
        organization=organization, participant_ids=participant_ids
    )
    done["responses"] = Response.objects.filter(participant__in=participant_ids).update(
        participant=None, department="", level=None
    )
    done["concerns"] = Concern.objects.filter(author__in=participant_ids).update(
        author=None, pair=None
    )
    return done
