"""Each person's data rights, in the browser (issue 21): the mentee asks for their data
from their own menu, the task prepares it (eagerly, as the test settings run tasks), and
they download the zip; then the admin erases the mentor, after typing their email on a
page that says it cannot be undone."""

import json
import zipfile

import pytest

from organizations.models import Membership
from organizations.tenancy import tenant_context
from tests.browser.helpers import signed_in
from tests.privacy.helpers import ANN_EMAIL, ANN_NAME, build_story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story(acme, world, acme_admin):
    return build_story(acme, world, acme_admin)


def test_the_mentee_downloads_their_data_and_the_admin_erases_the_mentor(
    chromium,
    live_server,
    acme,
    story,
    acme_admin,
    screenshot,
):
    with signed_in(chromium, live_server, "dan@acme.example") as dan:
        dan.locator("details.user-menu summary").click()
        dan.get_by_role("link", name="My data in Acme").click()
        dan.get_by_role("heading", name="My data", exact=True).wait_for()
        dan.get_by_role("button", name="Prepare my export").click()
        dan.get_by_text("Your export is being prepared").wait_for()
        link = dan.get_by_role("link", name="Download the zip")
        link.wait_for()
        screenshot(dan, "data-rights-my-data")
        with dan.expect_download() as download:
            link.click()
        archive = zipfile.ZipFile(download.value.path())
        profile = json.loads(archive.read("profile.json"))
        assert profile[0]["email"] == "dan@acme.example"
        notes = json.loads(archive.read("notes.json"))
        assert [n["text"] for n in notes] == ["Dan's private note"]

    with signed_in(chromium, live_server, acme_admin.email) as admin:
        admin.get_by_role("navigation", name="Organisation").get_by_role(
            "link", name="Members"
        ).click()
        admin.get_by_role("link", name=f"Manage {ANN_EMAIL}").click()
        admin.get_by_role("link", name="Erase…").click()
        admin.get_by_role("heading", name=f"Erase {ANN_NAME}?").wait_for()
        admin.get_by_text("This cannot be undone.").wait_for()
        box = admin.get_by_role("textbox", name="Type their email address to confirm")
        box.fill("ann@acme.exampel")
        admin.get_by_role("button", name="Erase this person").click()
        admin.get_by_text("Type the person's email address exactly").wait_for()
        screenshot(admin, "data-rights-erase-confirm")
        admin.get_by_role("textbox", name="Type their email address to confirm").fill(ANN_EMAIL)
        admin.get_by_role("button", name="Erase this person").click()
        admin.get_by_text("The person was erased. This cannot be undone.").wait_for()
        assert admin.get_by_text(ANN_EMAIL).count() == 0
        screenshot(admin, "data-rights-erased")
    with tenant_context(organization=acme):
        assert not Membership.objects.filter(user=story["ann"]).exists()
