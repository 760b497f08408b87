"""A program from design to a trained mentor, in the browser: the program manager builds
the topic catalogue, a program (opened for recruiting) and a cohort, invites an employee
from the directory, the employee applies (once refused for not accepting the ground
rules), is approved and completes the required training, and the cohort's funnel counts
them at every stage."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail

from directory.models import Department, Employee
from organizations.tenancy import tenant_context
from programs.models import Participant, ParticipantTopic
from tests.accounts.factories import PASSWORD
from tests.browser.helpers import sign_in
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAM = "Digital fluency for leaders"
MENTOR_EMAIL = "noor.haddad@initech.example"


@pytest.fixture
def initech(db):
    """A small organisation: a program manager, and a participant who is in the directory
    (their sign-in email is their employee record's) with a job level but no program yet."""
    organization = OrganizationFactory(slug="initech", name="Initech")
    MembershipFactory(
        organization=organization,
        user__email="priya.shah@initech.example",
        user__name="Priya Shah",
        is_program_manager=True,
        is_participant=False,
    )
    MembershipFactory(
        organization=organization,
        user__email=MENTOR_EMAIL,
        user__name="Noor Haddad",
        is_participant=True,
    )
    with tenant_context(organization=organization):
        engineering = Department.objects.create(organization=organization, name="Engineering")
        Employee.objects.create(
            organization=organization,
            employee_number="E-1042",
            email=MENTOR_EMAIL,
            name="Noor Haddad",
            department=engineering,
            job_title="Platform engineer",
            job_level=2,
            hire_date=date(2024, 9, 1),
        )
        Employee.objects.create(
            organization=organization,
            employee_number="E-0007",
            email="ravi.menon@initech.example",
            name="Ravi Menon",
            department=engineering,
            job_title="VP Engineering",
            job_level=8,
            hire_date=date(2009, 2, 11),
        )
    return organization


def _participant(organization) -> Participant:
    with tenant_context(organization=organization):
        return Participant.objects.select_related("employee").get(employee__email=MENTOR_EMAIL)


ENROLMENT_STAGES = ("Invited", "Applied", "Approved", "Trained")


def _mark_as_done(title: str) -> re.Pattern:
    """The training button's accessible name: its visible words, then the module's title
    from a visually hidden span (Chromium may put a space before the colon)."""
    return re.compile(rf"^Mark as done ?: {re.escape(title)}$")


def _funnel(page) -> dict[str, str]:
    """The enrolment stages of the cohort page's funnel as {stage: count}, read from the
    screen (later stages, such as matching's, are left out)."""
    funnel = {}
    for stage in page.get_by_role("region", name="Funnel").locator(".funnel a").all():
        count = stage.locator(".count").inner_text()
        funnel[stage.inner_text().replace(count, "", 1).strip()] = count
    return {stage: funnel.get(stage) for stage in ENROLMENT_STAGES}


def test_manager_recruits_a_mentor_who_applies_is_approved_and_trains(
    chromium, browser_page, live_server, initech, screenshot
):
    organization = initech
    manager = browser_page
    sign_in(manager, "priya.shah@initech.example", PASSWORD)
    manager.wait_for_url("**/o/initech/")

    # The topic catalogue, from the suggestions.
    manager.get_by_role("navigation", name="Organisation").get_by_role(
        "link", name="Programs", exact=True
    ).click()
    manager.get_by_role("link", name="Topic catalogue").click()
    manager.get_by_role("button", name="Add the suggested topics").click()
    manager.get_by_text("8 suggested topics added.").wait_for()

    # The program, with two topics; eligibility left open.
    manager.get_by_role("link", name="← Programs").click()
    manager.get_by_role("link", name="New program").click()
    start = date.today() + timedelta(days=30)
    end = start + timedelta(days=182)
    manager.get_by_label("Name", exact=True).fill(PROGRAM)
    manager.get_by_label("Description").fill("Senior leaders learn from early-career colleagues.")
    manager.get_by_label("Digital fluency", exact=True).check()
    manager.get_by_label("Starts").fill(start.isoformat())
    manager.get_by_label("Ends").fill(end.isoformat())
    topics = manager.get_by_role("group", name="Topics")
    topics.get_by_label("Generative AI tools", exact=True).check()
    topics.get_by_label("Data literacy", exact=True).check()
    assert (
        manager.get_by_role("group", name="Program managers")
        .get_by_label("Priya Shah")
        .is_checked()
    )
    screenshot(manager, "program-form")
    manager.get_by_role("button", name="Save program").click()
    manager.get_by_role("heading", name=PROGRAM).wait_for()
    assert manager.get_by_text("Program saved.").is_visible()
    assert manager.get_by_role("region", name="Topics").get_by_text("Data literacy").is_visible()

    # Nobody can be invited into a draft: the program opens for recruiting first.
    manager.get_by_role("button", name="Move to Recruiting").click()
    manager.get_by_text("The program is now Recruiting.").wait_for()

    # A pilot cohort within the program's dates.
    manager.get_by_text("Add a cohort…").click()
    manager.get_by_label("Name", exact=True).fill("Pilot")
    manager.get_by_label("Starts").fill(start.isoformat())
    manager.get_by_label("Ends").fill((start + timedelta(days=120)).isoformat())
    manager.get_by_role("button", name="Add cohort").click()
    manager.get_by_text("Cohort “Pilot” saved.").wait_for()
    screenshot(manager, "program-detail")
    manager.get_by_role("link", name="Pilot", exact=True).click()
    manager.get_by_role("heading", name="Pilot", exact=True).wait_for()

    # Noor, from the directory, as a mentor.
    invite = manager.get_by_role("region", name="Invite someone from the directory")
    invite.get_by_label("Employee number or email").fill("E-1042")
    invite.get_by_label("As").select_option("mentor")
    invite.get_by_role("button", name="Invite").click()
    manager.get_by_text("Invited Noor Haddad.").wait_for()
    people = manager.get_by_role("region", name="People")
    assert people.get_by_role("row", name="Noor Haddad").get_by_text("Invited").is_visible()
    assert _funnel(manager) == {"Invited": "1", "Applied": "0", "Approved": "0", "Trained": "0"}
    assert [m.to for m in mail.outbox] == [[MENTOR_EMAIL]]
    screenshot(manager, "program-cohort-invited")

    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}
    )
    try:
        mentor = context.new_page()
        mentor.set_default_timeout(10_000)
        sign_in(mentor, MENTOR_EMAIL, PASSWORD)
        mentor.wait_for_url("**/o/initech/")
        mentor.get_by_role("navigation", name="Organisation").get_by_role(
            "link", name="My programs"
        ).click()
        mentor.wait_for_url("**/o/initech/programs/mine/")
        card = mentor.locator(".card", has=mentor.get_by_role("heading", name=PROGRAM))
        # wait_for, not is_visible: the URL changes before the new page has rendered.
        card.get_by_text("Mentor · Pilot").wait_for()
        screenshot(mentor, "program-my-programs")
        card.get_by_role("link", name="Apply").click()
        mentor.get_by_role("heading", name=f"Apply to {PROGRAM}").wait_for()

        # The profile, but the ground rules are not accepted: refused, nothing saved.
        mentor.get_by_label("I can teach Generative AI tools").select_option("4")
        mentor.get_by_label("I can teach Data literacy").select_option("3")
        mentor.get_by_label("Your goals").fill("Show leaders how I use AI assistants every day.")
        mentor.get_by_label("Tuesday morning").check()
        mentor.get_by_label("Thursday afternoon").check()
        mentor.get_by_label("Your time zone").select_option("Europe/Berlin")
        mentor.get_by_label("Languages you can hold a session in").fill("English, German")
        mentor.get_by_label("How many mentees you can take").select_option("2")
        mentor.get_by_role("button", name="Send my application").click()
        mentor.get_by_text("Nothing was saved").wait_for()
        assert mentor.get_by_text("Accept the program's ground rules to take part.").is_visible()
        screenshot(mentor, "program-apply-refused")
        refused = _participant(organization)
        assert refused.status == Participant.Status.INVITED
        assert (refused.goals, refused.applied_at, refused.ground_rules_accepted_at) == (
            "",
            None,
            None,
        )
        with tenant_context(organization=organization):
            assert not ParticipantTopic.objects.filter(participant=refused).exists()

        # Accepted this time: what was typed is still there.
        assert mentor.get_by_label("Languages you can hold a session in").input_value() == (
            "English, German"
        )
        mentor.get_by_label("I accept the ground rules above.").check()
        mentor.get_by_role("button", name="Send my application").click()
        mentor.get_by_text("Application sent. The program manager will review it.").wait_for()
        assert mentor.locator(".lead .badge").inner_text() == "Applied"
        applied = _participant(organization)
        assert applied.status == Participant.Status.APPLIED
        assert (applied.capacity, applied.languages, applied.time_zone) == (
            2,
            ["English", "German"],
            "Europe/Berlin",
        )
        assert sorted(applied.availability) == ["thu-afternoon", "tue-morning"]
        assert applied.ground_rules_accepted_at is not None
        with tenant_context(organization=organization):
            levels = dict(
                ParticipantTopic.objects.filter(participant=applied).values_list(
                    "topic__name", "level"
                )
            )
        assert levels == {"Generative AI tools": 4, "Data literacy": 3}

        # The program manager approves from the cohort's review queue.
        manager.reload()
        queue = manager.get_by_role("region", name="1 application to review")
        assert queue.get_by_role("link", name="Noor Haddad").first.is_visible()
        screenshot(manager, "program-cohort-queue")
        queue.get_by_role("button", name="Approve Noor Haddad").click()
        manager.get_by_text("Noor Haddad is approved.").wait_for()
        assert manager.get_by_role("region", name="1 application to review").count() == 0
        assert _funnel(manager) == {"Invited": "1", "Applied": "1", "Approved": "1", "Trained": "0"}

        # Noor completes the training required of everyone and of mentors.
        mentor.reload()
        assert mentor.locator(".lead .badge").inner_text() == "Approved"
        assert mentor.get_by_text(
            "You're in. Complete 2 more required training modules before matching."
        ).is_visible()
        checklist = mentor.get_by_role("region", name="Training checklist")
        assert checklist.get_by_text("Receiving feedback from a junior colleague").count() == 0
        for title in ("How reverse mentoring works", "Giving feedback upward"):
            checklist.get_by_role("button", name=_mark_as_done(title)).click()
            mentor.get_by_text(f"“{title}” marked as done.").wait_for()
        assert mentor.get_by_text(
            "You're in and your training is done. Next, the program manager matches you"
        ).is_visible()
        assert checklist.get_by_role("button", name=_mark_as_done("Active listening")).is_visible()
        screenshot(mentor, "program-participation-trained")
    finally:
        context.close()

    manager.reload()
    assert _funnel(manager) == {"Invited": "1", "Applied": "1", "Approved": "1", "Trained": "1"}
    row = manager.get_by_role("region", name="People").get_by_role("row", name="Noor Haddad")
    assert row.get_by_text("Approved").is_visible() and row.get_by_text("Yes").is_visible()
    screenshot(manager, "program-cohort-funnel")
