"""Every email Upturn sends, read by a person whose language is French, German or Spanish
(issue 22): its subject, text and HTML hold no English sentence from the product's
catalogue (tests/english_texts.py: a line or text node that is, whole, an English msgid
the language writes otherwise, its placeholders filled with anything), and a session's
calendar invitation has its title and description in that language."""

import html as html_lib
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import translation

from matching import services as matching
from matching.models import Pair
from notifications import delivery
from notifications.kinds import Candidate
from organizations.tenancy import tenant_context
from programs.emails import send_participant_email
from programs.models import Program, ProgramManager
from reports import services as reports
from sessions.calendar import session_title
from sessions.emails import send_session_invites
from sessions.models import MentoringSession
from sessions.notices import SessionNotice
from tests.accounts.factories import UserFactory
from tests.english_texts import english_sentences
from tests.organizations.factories import MembershipFactory
from tests.sessions.mail_helpers import invitations

pytestmark = pytest.mark.django_db
LANGUAGES = ["fr", "de", "es"]
SESSION_START = datetime(2027, 2, 10, 9, tzinfo=UTC)
WEDNESDAY = datetime(2027, 2, 3, 10, tzinfo=UTC)
NEXT_MONDAY_MORNING = datetime(2027, 2, 8, 6, 30, tzinfo=UTC)


@pytest.fixture(params=LANGUAGES)
def language(request):
    return request.param


@pytest.fixture
def people(acme, world, language):
    """The world's pairs published; Ann (mentor), Dan (mentee) and a program manager
    can sign in, each reading ``language``; Acme itself writes English."""
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=datetime(2026, 12, 15, 9, tzinfo=UTC))
    members = {
        name: MembershipFactory(
            organization=acme,
            user=UserFactory(email=f"{name}@acme.example", language=language),
            **extra,
        )
        for name, extra in (
            ("ann", {}),
            ("dan", {}),
            ("pm", {"is_program_manager": True, "is_participant": False}),
        )
    }
    with tenant_context(organization=acme):
        ProgramManager.objects.create(
            organization=acme, program=world["program"], membership=members["pm"]
        )
    mail.outbox.clear()
    return members


def _texts(email) -> list[str]:
    """What a reader reads: the subject, the text's lines, the HTML's text nodes."""
    texts = [email.subject, *email.body.splitlines()]
    for content, mimetype in email.alternatives:
        if mimetype == "text/html":
            body = re.sub(r"(?s)<(style|head)\b.*?</\1>", " ", content)
            texts += [html_lib.unescape(piece) for piece in re.split(r"<[^>]+>", body)]
    return [" ".join(text.split()) for text in texts if text.strip()]


def assert_in_language(email, language: str) -> None:
    english = english_sentences(language)
    found = [text for text in _texts(email) if english.fullmatch(text)]
    assert not found, f"English in the {language} email “{email.subject}”: {found}"
    assert len(_texts(email)) > 3  # the check read something


def _to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_the_check_finds_english(language):
    """The comparison can fail: an English sentence of the catalogue, its name filled
    in, is found; its translation is not."""
    english = english_sentences(language)
    assert english.fullmatch("Hello Inés,")
    with translation.override(language):
        assert not english.fullmatch(translation.gettext("Hello %(name)s,") % {"name": "Inés"})


def test_an_invitation_is_in_the_organisations_language(
    client, acme, acme_admin, language, django_capture_on_commit_callbacks
):
    # Someone who has never signed in reads the organisation's language.
    acme.locale = language
    acme.save(update_fields=["locale"])
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/o/acme/invitations/", {"emails": "new@example.com", "roles": ["participant"]})
    (email,) = _to("new@example.com")
    assert_in_language(email, language)


@pytest.mark.parametrize("kind", ["invited", "approved", "rejected", "withdrawn"])
def test_a_participant_email_is_in_their_language(acme, world, people, language, kind):
    with tenant_context(organization=acme):
        send_participant_email(participant=world["Ann"], kind=kind)
    (email,) = _to("ann@acme.example")
    assert_in_language(email, language)


@pytest.mark.parametrize("kind", ["scheduled", "rescheduled", "cancelled"])
def test_a_session_invitation_and_its_calendar_event_are_in_their_language(
    acme, world, people, language, kind
):
    with tenant_context(organization=acme):
        pair = Pair.objects.get(mentee=world["Dan"], status=Pair.Status.ACTIVE)
        session = MentoringSession.objects.create(
            organization=acme, pair=pair, starts_at=SESSION_START
        )
        send_session_invites(session=session, kind=kind)
        with translation.override(language):
            title = session_title(session)
    (email,) = _to("dan@acme.example")
    assert_in_language(email, language)
    (invitation,) = invitations("dan@acme.example")
    # The title names the program and the pair (as written); it is made in the reader's
    # language all the same, as any words in it are.
    assert str(invitation.event["SUMMARY"]) == title
    english = english_sentences(language)
    description = str(invitation.event.get("DESCRIPTION", ""))
    assert not [line for line in description.splitlines() if english.fullmatch(line.strip())]


def test_a_reminder_is_in_their_language(acme, world, people, language):
    with tenant_context(organization=acme):
        pair = Pair.objects.get(mentee=world["Dan"], status=Pair.Status.ACTIVE)
        MentoringSession.objects.create(organization=acme, pair=pair, starts_at=SESSION_START)
    delivery.run_reminders(organization=acme, now=SESSION_START - timedelta(hours=20))
    (email,) = _to("dan@acme.example")
    assert_in_language(email, language)


def test_the_weekly_digest_is_in_their_language(acme, people, language):
    with tenant_context(organization=acme):
        delivery.create(
            [
                Candidate(
                    recipient=people["dan"],
                    kind=SessionNotice.MILESTONE,
                    key=f"test:{n}",
                    title=f"Reminder {n}",
                    body=f"Body {n}",
                    url="/o/acme/programs/mine/",
                )
                for n in range(5)
            ],
            WEDNESDAY,
        )
    delivery.deliver(acme, WEDNESDAY)
    assert delivery.weekly_digest(acme, NEXT_MONDAY_MORNING) == 1
    digest = _to("dan@acme.example")[-1]
    assert "Reminder 4" in digest.body
    for email in _to("dan@acme.example"):
        assert_in_language(email, language)


def test_the_managers_digest_is_in_their_language(acme, world, people, language):
    with tenant_context(organization=acme):
        Program.objects.update(status=Program.Status.ACTIVE)
    monday = datetime(2027, 3, 1, 9, 0, tzinfo=acme.zone)
    assert reports.manager_digests_send(organization=acme, now=monday) == 1
    (email,) = _to("pm@acme.example")
    assert_in_language(email, language)
    with translation.override(language):
        heading = translation.gettext("%(program)s: your week") % {"program": "Reverse"}
    assert " ".join(heading.split()) in email.subject


def test_a_csv_keeps_iso_dates_and_dot_decimals_in_every_language(language):
    """A CSV is read by machines too: the reader's language changes neither its dates,
    nor its decimals, nor its header."""
    from datetime import date

    from organizations.spreadsheet import csv_response

    with translation.override(language):
        response = csv_response(
            filename="x.csv", header=["day", "rate"], rows=[[date(2027, 1, 31), 0.5]]
        )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == ["day,rate", "2027-01-31,0.5"]
