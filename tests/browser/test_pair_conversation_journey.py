"""The pair's conversation, in the browser (issue 20): Ann and Dan exchange messages on
their pair's page, a link in one of them opens as a link; the program manager's pair
list then shows that the pair was in touch today, and none of what they wrote."""

import pytest
from django.urls import reverse

from matching import services as matching
from matching.models import Pair
from organizations.tenancy import tenant_context
from programs.models import ProgramManager
from tests.accounts.factories import UserFactory
from tests.browser.helpers import open_pair_page, signed_in
from tests.organizations.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANN, DAN, MANAGER = "ann@acme.example", "dan@acme.example", "pm@acme.example"
ANN_WRITES = "Zq7 Shall we try the prompt guide? https://example.com/guide"
DAN_WRITES = "Zq7 Yes, Tuesday works for me."


@pytest.fixture
def pair(acme, world) -> Pair:
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
    for email, name in ((ANN, "Ann Junior"), (DAN, "Dan Senior")):
        MembershipFactory(organization=acme, user=UserFactory(email=email, name=name))
    manager = MembershipFactory(
        organization=acme,
        user=UserFactory(email=MANAGER, name="Pat Manager"),
        is_program_manager=True,
        is_participant=False,
    )
    with tenant_context(organization=acme):
        ProgramManager.objects.create(
            organization=acme, program=world["program"], membership=manager
        )
    return pair


def _write(page, text: str) -> None:
    thread = page.get_by_role("region", name="Conversation")
    thread.get_by_role("textbox", name="Message").fill(text)
    thread.get_by_role("button", name="Send").click()
    page.get_by_role("region", name="Conversation").get_by_text(text).wait_for()


def test_the_pair_exchange_messages_and_the_manager_sees_only_that_they_are_in_touch(
    chromium, live_server, acme, world, pair, screenshot
):
    program = world["program"].name
    with signed_in(chromium, live_server, ANN) as ann:
        open_pair_page(ann, program, "Dan Senior")
        _write(ann, ANN_WRITES)

    with signed_in(chromium, live_server, DAN) as dan:
        open_pair_page(dan, program, "Ann Junior")
        thread = dan.get_by_role("region", name="Conversation")
        thread.get_by_text("Shall we try the prompt guide?", exact=False).wait_for()
        assert thread.get_by_text("new", exact=True).count() == 1
        assert (
            thread.get_by_role("link", name="https://example.com/guide").get_attribute("href")
            == "https://example.com/guide"
        )
        _write(dan, DAN_WRITES)
        screenshot(dan, "conversation-exchanged")

    with signed_in(chromium, live_server, ANN) as ann:
        open_pair_page(ann, program, "Dan Senior")
        ann.get_by_role("region", name="Conversation").get_by_text(DAN_WRITES).wait_for()

    with signed_in(chromium, live_server, MANAGER) as manager:
        manager.goto(
            reverse(
                "mentoring_manager:pairs",
                kwargs={"org_slug": acme.slug, "program_id": world["program"].pk},
            )
        )
        table = manager.get_by_role("table")
        row = table.get_by_role("row").filter(has_text="Dan Senior")
        row.wait_for()
        headers = [h.strip() for h in table.locator("thead th").all_text_contents()]
        cells = [c.strip() for c in row.locator("td").all_text_contents()]
        assert cells[headers.index("Last contact")] == "today"
        assert "Zq7" not in manager.content()
        screenshot(manager, "conversation-manager-last-contact")
