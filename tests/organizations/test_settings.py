import time

import pytest

from organizations.middleware import LAST_SEEN_SESSION_KEY
from organizations.models import AuditAction, AuditEntry, Organization
from organizations.tenancy import tenant_context
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Acme Corporation",
    "time_zone": "Europe/Berlin",
    "locale": "en",
    "accent_color": "#123456",
    "session_idle_minutes": "60",
    "survey_min_group": "5",
    "message_retention_days": "90",
}


def test_admin_changes_settings_and_the_change_is_audited(client, acme, acme_admin):
    client.force_login(acme_admin)

    response = client.post("/o/acme/settings/", VALID)

    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.time_zone, acme.session_idle_minutes) == (
        "Acme Corporation",
        "Europe/Berlin",
        60,
    )
    with tenant_context(organization=acme):
        entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert entry.details["name"] == {"before": "Acme", "after": "Acme Corporation"}


def test_bad_settings_are_named_and_nothing_changes(client, acme, acme_admin):
    client.force_login(acme_admin)

    response = client.post(
        "/o/acme/settings/", {**VALID, "time_zone": "Mars/Olympus", "session_idle_minutes": "1"}
    )

    html = response.content.decode()
    assert "Select a valid choice. Mars/Olympus" in html
    assert "greater than or equal to 5" in html
    assert Organization.objects.get(pk=acme.pk).name == "Acme"


def test_only_admins_change_settings(client, acme):
    manager = MembershipFactory(organization=acme, is_program_manager=True).user
    client.force_login(manager)

    assert client.post("/o/acme/settings/", VALID).status_code == 403


def test_staff_are_sent_to_set_up_two_factor_when_required(client, acme):
    Organization.objects.filter(pk=acme.pk).update(require_mfa_for_staff=True)
    executive = MembershipFactory(organization=acme, is_executive=True, is_participant=False).user
    client.force_login(executive)

    response = client.get("/o/acme/")

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"


def test_participants_are_not_forced_into_two_factor(client, acme, acme_mentor):
    Organization.objects.filter(pk=acme.pk).update(require_mfa_for_staff=True)
    client.force_login(acme_mentor)

    assert client.get("/o/acme/").status_code == 200


def test_idle_member_is_signed_out_after_the_organisations_limit(client, acme, acme_mentor):
    Organization.objects.filter(pk=acme.pk).update(session_idle_minutes=30)
    client.force_login(acme_mentor)
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 31 * 60
    session.save()

    response = client.get("/o/acme/")

    assert response.url == "/accounts/login/?next=/o/acme/"
    assert "_auth_user_id" not in client.session
    with tenant_context(organization=acme):
        assert AuditEntry.objects.filter(action=AuditAction.SESSION_EXPIRED).exists()


def test_active_member_stays_signed_in(client, acme, acme_mentor):
    Organization.objects.filter(pk=acme.pk).update(session_idle_minutes=30)
    client.force_login(acme_mentor)
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 29 * 60
    session.save()

    assert client.get("/o/acme/").status_code == 200
    assert client.session[LAST_SEEN_SESSION_KEY] >= int(time.time()) - 5


def _png(width=40, height=20) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#0b6e69").save(buffer, format="PNG")
    return buffer.getvalue()


def test_admin_uploads_a_logo_that_members_see(client, acme, acme_admin, acme_mentor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(acme_admin)
    logo = SimpleUploadedFile("brand.png", _png(), content_type="image/png")

    client.post("/o/acme/settings/", {**VALID, "logo": logo})

    client.force_login(acme_mentor)
    page = client.get("/o/acme/").content.decode()
    served = client.get("/o/acme/logo/")
    assert 'class="org-logo" src="/o/acme/logo/' in page
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == _png()


def test_the_settings_page_links_the_current_logo_to_its_view_not_to_media(
    client, acme, acme_admin
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(acme_admin)
    client.post("/o/acme/settings/", {**VALID, "logo": SimpleUploadedFile("brand.png", _png())})

    page = client.get("/o/acme/settings/").content.decode()
    assert 'href="/o/acme/logo/"' in page
    assert "/media/" not in page


def test_a_file_that_is_not_an_image_is_refused_as_a_logo(client, acme, acme_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(acme_admin)
    fake = SimpleUploadedFile("brand.png", b"<svg onload=alert(1)>", content_type="image/png")

    response = client.post("/o/acme/settings/", {**VALID, "logo": fake})

    assert "“brand.png” is named as a PNG image but is an SVG image." in response.content.decode()
    assert not Organization.objects.get(pk=acme.pk).logo


def test_an_oversized_logo_is_refused_with_its_size(client, acme, acme_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(acme_admin)
    big = SimpleUploadedFile(
        "big.png", _png(1200, 1200) + b"\0" * 1_100_000, content_type="image/png"
    )

    response = client.post("/o/acme/settings/", {**VALID, "logo": big})

    assert "“big.png” is 1.1 MB; the limit is 1 MB." in response.content.decode()


def test_no_logo_answers_not_found(client, acme_mentor):
    client.force_login(acme_mentor)

    assert client.get("/o/acme/logo/").status_code == 404


def test_the_settings_time_zone_list_starts_with_the_organisations_zone(client, acme, acme_admin):
    Organization.objects.filter(pk=acme.pk).update(time_zone="Asia/Kolkata")
    client.force_login(acme_admin)

    html = client.get("/o/acme/settings/").content.decode()

    likely = html.split('<optgroup label="Likely">')[1].split("</optgroup>")[0]
    assert '<option value="Asia/Kolkata" selected>Asia/Kolkata</option>' in likely
    assert html.count('<option value="Asia/Kolkata"') == 1


def test_a_too_light_accent_is_refused_with_the_contrast_it_needs(client, acme, acme_admin):
    """Issue 18: a pale accent used to be saved with "Settings saved" and then quietly not
    used (organizations.branding keeps Upturn's own where white text would not read)."""
    client.force_login(acme_admin)

    response = client.post("/o/acme/settings/", {**VALID, "accent_color": "#FFCC00"})

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "#ffcc00 is too light: white text on it has a contrast of only 1.51:1, and buttons "
        "and links need at least 4.5:1 (WCAG AA). Choose a darker colour, such as #8f7200 "
        "(the same hue, darkened)."
    ) in html
    assert "Settings saved" not in html
    acme.refresh_from_db()
    assert (acme.accent_color, acme.name) == ("#0b6e69", "Acme")


def test_a_colour_just_short_of_aa_is_not_rounded_up_to_it(client, acme, acme_admin):
    client.force_login(acme_admin)

    response = client.post("/o/acme/settings/", {**VALID, "accent_color": "#777777"})

    assert "only 4.47:1" in response.content.decode()  # 4.478...: never "4.48" nor "4.5"


def test_the_suggested_darker_accent_is_taken(client, acme, acme_admin):
    client.force_login(acme_admin)

    response = client.post("/o/acme/settings/", {**VALID, "accent_color": "#8f7200"})

    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.accent_color == "#8f7200"
    page = client.get("/o/acme/settings/").content.decode()
    assert "--accent: #8f7200" in page
    assert "a contrast of at least 4.5:1 with white" in page
