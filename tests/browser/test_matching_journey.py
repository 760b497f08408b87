"""Matching a cohort, in the browser: the program manager runs matching for the demo's
pilot cohort, reads why a pair was made, tries a swap the rules refuse, swaps two pairs
instead, locks one, re-runs the rest and publishes; the mentor then sees their mentee and
why they were matched, and has been told in the app and by email."""

import re
from itertools import combinations

import pytest
from django.core import mail

from demo.programs import ACME_PROGRAM
from matching.models import MatchRun, Pair
from matching.services import Change, pair_swap_preview
from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.models import Cohort, Program
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "upturn-demo"  # noqa: S105 - the published demo password
MANAGER_EMAIL = "manager@acme.example"
MENTOR_EMAIL = "mentor@acme.example"
REASON = "Agreed with both mentors at the kick-off."


@pytest.fixture(autouse=True)
def _daytime(monkeypatch):
    """Pairing notices wait for the end of a person's night; this journey runs at any hour."""
    monkeypatch.setattr("notifications.delivery.is_night", lambda moment, zone: False)


@pytest.fixture
def pilot(demo_data) -> Cohort:
    """The demo's pilot cohort as it was before matching: approved and trained, no runs,
    its program in Matching. (demo_data is seeded for each test, and a transactional test
    empties the database afterwards, so the rewind reaches no other test.)"""
    acme = Organization.objects.get(slug="acme")
    with tenant_context(organization=acme):
        cohort = Cohort.objects.select_related("program").get(
            program__name=ACME_PROGRAM, name="Pilot"
        )
        MatchRun.objects.filter(cohort=cohort).delete()
        cohort.matching_started_at = None
        cohort.save(update_fields=["matching_started_at"])
        cohort.program.status = Program.Status.MATCHING
        cohort.program.save(update_fields=["status"])
        assert not Pair.objects.filter(cohort=cohort).exists()
    return cohort


def _draft_pairs(cohort: Cohort) -> tuple[MatchRun, list[Pair]]:
    with tenant_context(organization=cohort.organization):
        run = MatchRun.objects.get(cohort=cohort, status=MatchRun.Status.DRAFT)
        pairs = list(
            run.pairs.filter(status=Pair.Status.PROPOSED).select_related(
                "mentor__employee", "mentee__employee"
            )
        )
    return run, pairs


def _names(pair: Pair) -> tuple[str, str]:
    return pair.mentor.employee.name, pair.mentee.employee.name


def _swaps(cohort: Cohort) -> tuple[tuple[Pair, Pair], tuple[Pair, Pair, Change]]:
    """Two swaps in the draft, each of the demo mentor's pair with another mentor's: the
    first the hard constraints refuse (any two pairs, should the mentor's have none), and
    the allowed one that costs least, preferring one that breaks no soft rule either."""
    run, pairs = _draft_pairs(cohort)
    own = [p for p in pairs if p.mentor.employee.email == MENTOR_EMAIL]
    assert own, f"{MENTOR_EMAIL} is not in the draft"
    mine = own[0]
    others = [p for p in pairs if p.mentor_id != mine.mentor_id]
    with tenant_context(organization=cohort.organization):
        previews = [
            (mine, other, pair_swap_preview(run=run, pair_ids=[mine.pk, other.pk]))
            for other in others
        ]
        refused = next(((a, b) for a, b, change in previews if change.broken), None)
        if refused is None:
            refused = next(
                (a, b)
                for a, b in combinations(pairs, 2)
                if a.mentor_id != b.mentor_id
                and pair_swap_preview(run=run, pair_ids=[a.pk, b.pk]).broken
            )
    allowed = min(
        (item for item in previews if not item[2].broken),
        key=lambda item: (bool(item[2].soft), -item[2].score_change, _names(item[1])),
    )
    return refused, allowed


def _row(region, mentor: str, mentee: str):
    return region.get_by_role("row").filter(has_text=mentor).filter(has_text=mentee)


def _tick(page, pairs) -> None:
    for pair in pairs:
        mentor, mentee = _names(pair)
        page.get_by_label(f"Select {mentor} and {mentee}").check()
    page.get_by_role("button", name="Swap the two ticked pairs…").first.click()
    page.get_by_role("heading", name="Change pairs: preview").wait_for()


def test_manager_matches_the_pilot_and_the_mentor_sees_their_mentee_and_why(
    chromium, browser_page, live_server, pilot, screenshot
):
    program = pilot.program
    manager = browser_page
    sign_in(manager, MANAGER_EMAIL, PASSWORD)
    manager.wait_for_url("**/o/acme/")

    # The pilot cohort, not matched yet.
    manager.goto(f"/o/acme/programs/{program.pk}/cohorts/{pilot.pk}/")
    manager.get_by_role("link", name="Matching", exact=True).click()
    manager.get_by_role("heading", name="Matching: Pilot").wait_for()
    assert manager.get_by_role("heading", name="Not matched yet").is_visible()
    screenshot(manager, "matching-before")

    # A draft: every mentee placed, each pair with its reasons.
    manager.get_by_role("button", name="Run matching").click()
    manager.get_by_text("Matching done. Review the pairs, then publish.").wait_for()
    draft = manager.get_by_role("region", name="Draft: 20 pairs")
    assert draft.locator("table").first.locator("tbody tr").count() == 20
    best = draft.locator("table").first.locator("tbody tr").first
    explanation = best.get_by_role("cell").nth(4).inner_text()
    assert "teaches" in explanation and " of 5" in explanation, explanation
    assert manager.get_by_role("button", name="Re-run (keeps locked pairs)").is_visible()
    screenshot(manager, "matching-draft")

    refused, (mine, other, change) = _swaps(pilot)

    # A swap that would break a hard constraint is refused at the preview.
    _tick(manager, refused)
    assert manager.get_by_role("alert").get_by_text("Not possible:").is_visible()
    assert manager.get_by_role("button", name="Make the change").count() == 0
    screenshot(manager, "matching-swap-refused")
    manager.get_by_role("link", name="← Matching").click()
    manager.get_by_role("heading", name="Matching: Pilot").wait_for()

    # An allowed one: the preview shows the new pairs and what the total loses.
    _tick(manager, (mine, other))
    preview = manager.locator("main")
    new_pairs = [
        (mine.mentor.employee.name, other.mentee.employee.name),
        (other.mentor.employee.name, mine.mentee.employee.name),
    ]
    for mentor, mentee in new_pairs:
        assert _row(preview, mentor, mentee).is_visible()
    # The change shown is the difference of the two totals shown, signed with a true minus.
    total = manager.get_by_text("Total score of the draft:").inner_text()
    before, after, shown = re.search(r"([\d.]+) → ([\d.]+) \(([+\u2212]?[\d.]+)\)", total).groups()
    assert float(shown.replace("\u2212", "-")) == pytest.approx(float(after) - float(before))
    assert float(shown.replace("\u2212", "-")) == pytest.approx(change.score_change, abs=0.1)
    assert manager.get_by_text("Not possible:").count() == 0
    need = "required" if change.soft else "optional"
    manager.get_by_label(f"Why ({need}; program managers only)").fill(REASON)
    screenshot(manager, "matching-swap-preview")
    manager.get_by_role("button", name="Make the change").click()
    manager.get_by_text("Pairs changed.").wait_for()
    draft = manager.get_by_role("region", name="Draft: 20 pairs")
    for mentor, mentee in new_pairs:
        row = _row(draft, mentor, mentee)
        assert row.get_by_text("changed by a program manager").is_visible()
        assert row.get_by_text(REASON).is_visible()
    assert _row(draft, *_names(mine)).count() == 0
    screenshot(manager, "matching-swapped")

    # The mentor's new pair is locked, then the rest re-run around it.
    mentor_name, mentee_name = new_pairs[0]
    _row(draft, mentor_name, mentee_name).get_by_role("button", name="Lock", exact=True).click()
    manager.get_by_text("Pair locked: a re-run keeps it.").wait_for()
    locked = _row(draft, mentor_name, mentee_name)
    assert locked.get_by_role("button", name="Unlock").is_visible()
    assert locked.get_by_role("checkbox").count() == 0
    first_run, _pairs = _draft_pairs(pilot)
    manager.get_by_role("button", name="Re-run (keeps locked pairs)").click()
    manager.get_by_text("Matching done. Review the pairs, then publish.").wait_for()
    draft = manager.get_by_role("region", name="Draft: 20 pairs")
    assert _row(draft, mentor_name, mentee_name).get_by_role("button", name="Unlock").is_visible()
    screenshot(manager, "matching-rerun")
    run, pairs = _draft_pairs(pilot)
    assert run.pk != first_run.pk and len(pairs) == 20
    [kept] = [p for p in pairs if p.locked]
    assert _names(kept) == (mentor_name, mentee_name)

    # Publishing tells everyone paired.
    mail.outbox.clear()
    manager.get_by_text("Publish…").click()
    screenshot(manager, "matching-publish")
    manager.get_by_role("button", name="Publish the pairs").click()
    manager.get_by_text(
        "Published. Everyone paired has been told who their partner is and why."
    ).wait_for()
    active = manager.get_by_role("region", name="20 active pairs")
    assert active.locator("tbody tr").count() == 20
    assert _row(active, mentor_name, mentee_name).is_visible()
    assert manager.get_by_role("region", name="Draft: 20 pairs").count() == 0
    screenshot(manager, "matching-published")

    with tenant_context(organization=pilot.organization):
        pair = Pair.objects.select_related("mentee__employee").get(
            cohort=pilot, status=Pair.Status.ACTIVE, mentor__employee__email=MENTOR_EMAIL
        )
        # Each paired person who is a member (the demo's people joined through their
        # invitations) is told once per pair (a mentor of two mentees meets each); the
        # employee's member link says who that is.
        members = [
            email
            for pair_emails in Pair.objects.filter(
                cohort=pilot, status=Pair.Status.ACTIVE
            ).values_list(
                "mentor__employee__member__user__email", "mentee__employee__member__user__email"
            )
            for email in pair_emails
            if email
        ]
    assert pair.mentee.employee.name == mentee_name
    assert MENTOR_EMAIL in members
    # (The same delivery may also send other notices already due to other people.)
    told = [m.to[0] for m in mail.outbox if m.subject.startswith(f"{ACME_PROGRAM}: meet ")]
    assert sorted(told) == sorted(members)
    [message] = [m for m in mail.outbox if m.to == [MENTOR_EMAIL]]
    assert message.subject == f"{ACME_PROGRAM}: meet {mentee_name}"
    assert pair.explanation in message.body

    # The mentor sees their mentee and why.
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}
    )
    try:
        mentor = context.new_page()
        mentor.set_default_timeout(10_000)
        sign_in(mentor, MENTOR_EMAIL, PASSWORD)
        mentor.wait_for_url("**/o/acme/")
        mentor.get_by_role("navigation", name="Organisation").get_by_role(
            "link", name="My programs"
        ).click()
        mentor.get_by_role("link", name=ACME_PROGRAM, exact=True).click()
        mentor.get_by_role("heading", name=ACME_PROGRAM).wait_for()
        partner = mentor.get_by_role("region", name=f"Your mentee: {mentee_name}")
        assert partner.is_visible()
        why = partner.locator("dt", has_text="Why you were matched")
        assert why.is_visible()
        assert why.locator("xpath=following-sibling::dd[1]").inner_text() == pair.explanation
        assert mentor.get_by_text("You're paired.").is_visible()
        screenshot(mentor, "matching-mentor-sees-mentee")
        # ... and was told in the app too, from where the notice leads to the same page.
        mentor.goto("/o/acme/notifications/")
        notice = f"{ACME_PROGRAM}: meet {mentee_name}"
        assert mentor.locator("strong", has_text=notice).is_visible()
        mentor.get_by_role("button", name=f"Open {notice}").click()
        mentor.get_by_role("region", name=f"Your mentee: {mentee_name}").wait_for()
    finally:
        context.close()
