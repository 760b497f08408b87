"""Each person's language (issue 22): chosen in their settings, else their organisation's,
else their browser's; pages, emails and notifications reach them in it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from matching import services as matching
from matching.models import Pair
from notifications.models import Notification
from organizations.emails import send_branded_email
from organizations.languages import language_for, language_for_addresses
from organizations.tenancy import tenant_context
from sessions import services
from sessions.partner_news import PartnerNotice
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _in(language: str, text: str) -> str:
    """``text`` as the shipped catalogue has it in ``language``; the test means
    something only where that differs from the English."""
    with translation.override(language):
        translated = gettext(text)
    assert translated != text, f"{text!r} has no {language} translation"
    return translated


def test_a_person_chooses_their_language_and_every_page_follows(client, acme, acme_mentor):
    client.force_login(acme_mentor)
    response = client.post("/accounts/language/", {"language": "de", "next": "/o/acme/"})
    assert response.status_code == 302 and response["Location"] == "/o/acme/"
    acme_mentor.refresh_from_db()
    assert acme_mentor.language == "de"

    page = client.get("/o/acme/notifications/settings/")
    assert page["Content-Language"] == "de"
    assert '<html lang="de">' in page.content.decode()
    assert _in("de", "Notification settings") in page.content.decode()
    # Outside any organisation too: their account pages.
    assert client.get("/accounts/language/")["Content-Language"] == "de"


def test_without_a_choice_the_organisations_language_applies(client, acme, acme_mentor):
    acme.locale = "fr"
    acme.save(update_fields=["locale"])
    client.force_login(acme_mentor)
    page = client.get("/o/acme/notifications/settings/")
    assert page["Content-Language"] == "fr"
    assert _in("fr", "Notification settings") in page.content.decode()
    # The person's own choice wins over the organisation's.
    acme_mentor.language = "es"
    acme_mentor.save(update_fields=["language"])
    assert client.get("/o/acme/notifications/settings/")["Content-Language"] == "es"


def test_before_sign_in_the_browsers_language_applies(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert page["Content-Language"] == "es"
    assert _in("es", "Sign in") in page.content.decode()


def test_a_language_that_is_not_shipped_is_refused_and_nothing_changes(client, acme_mentor):
    client.force_login(acme_mentor)
    response = client.post("/accounts/language/", {"language": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    acme_mentor.refresh_from_db()
    assert acme_mentor.language == ""


def test_the_next_address_must_stay_on_the_site(client, acme_mentor):
    client.force_login(acme_mentor)
    response = client.post(
        "/accounts/language/", {"language": "fr", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/accounts/language/"


def test_language_for_prefers_the_person_then_the_organisation(acme):
    acme.locale = "fr"
    person = UserFactory(language="")
    assert language_for(user=person, organization=acme) == "fr"
    person.language = "de"
    assert language_for(user=person, organization=acme) == "de"


def test_an_email_goes_out_in_its_recipients_language(acme):
    UserFactory(email="ines@acme.example", language="es")
    assert language_for_addresses(organization=acme, addresses=["Ines@Acme.example"]) == "es"
    # Someone without an account (an invitation) reads the organisation's language.
    assert language_for_addresses(organization=acme, addresses=["new@acme.example"]) == "en"

    send_branded_email(
        organization=acme,
        template="notifications/email/reminder",
        context={
            "notification": Notification(title="T", body="B"),
            "greeting_name": "Inés",
            "url": "https://upturn.example/o/acme/",
            "settings_url": "https://upturn.example/settings/",
        },
        to=["ines@acme.example"],
    )
    (email,) = mail.outbox
    with translation.override("es"):
        greeting = gettext("Hello %(name)s,") % {"name": "Inés"}
    assert greeting != "Hello Inés," and greeting in email.body


@pytest.fixture
def pair(acme, world):
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=timezone.now() - timedelta(days=30))
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
    for name, language in (("ann", "fr"), ("dan", "de")):
        user = UserFactory(email=f"{name}@acme.example", language=language)
        MembershipFactory(organization=acme, user=user)
    return pair


def test_a_notification_is_written_in_its_recipients_language(acme, pair):
    with tenant_context(organization=acme):
        services.session_schedule(
            pair=pair,
            actor=pair.mentor,
            plan=services.Plan(
                starts_at=(timezone.now() + timedelta(days=7)).replace(microsecond=0),
                duration_minutes=60,
            ),
        )
        (notice,) = Notification.objects.filter(
            kind__in=PartnerNotice, recipient__user=User.objects.get(email="dan@acme.example")
        )
    # Dan reads German, though Ann (who booked) reads French and Acme writes English.
    with translation.override("de"):
        expected = gettext("%(name)s booked a session") % {"name": "Ann Junior"}
    assert notice.title == expected != "Ann Junior booked a session"
