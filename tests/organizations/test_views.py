import pytest

from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_member_of_one_organisation_goes_straight_in(client, acme_mentor):
    client.force_login(acme_mentor)

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/o/acme/"


def test_member_of_several_organisations_chooses_one(client, acme, globex):
    user = MembershipFactory(organization=acme).user
    MembershipFactory(organization=globex, user=user, is_executive=True)
    client.force_login(user)

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/o/acme/"' in html and 'href="/o/globex/"' in html
    assert "Executive" in html


def test_person_without_organisation_is_told_how_to_join(client):
    client.force_login(UserFactory(email="lonely@example.com"))

    response = client.get("/")

    assert "You are not in an organisation yet" in response.content.decode()
    assert "lonely@example.com" in response.content.decode()


def test_deactivated_member_cannot_reach_the_organisation(client, acme):
    membership = MembershipFactory(organization=acme, is_active=False)
    client.force_login(membership.user)

    assert client.get("/o/acme/").status_code == 404
    assert "You are not in an organisation yet" in client.get("/").content.decode()


def test_non_member_gets_not_found_for_another_organisation(client, acme_admin, globex):
    client.force_login(acme_admin)

    response = client.get("/o/globex/")

    assert response.status_code == 404
    assert "couldn't find that page" in response.content.decode()


def test_unknown_organisation_and_foreign_one_answer_alike(client, acme_admin, globex):
    client.force_login(acme_admin)

    foreign = client.get("/o/globex/members/")
    unknown = client.get("/o/no-such-org/members/")

    assert foreign.status_code == unknown.status_code == 404


def test_anonymous_visitor_to_an_organisation_page_is_sent_to_sign_in(client, acme):
    response = client.get("/o/acme/members/")

    assert response.url == "/accounts/login/?next=/o/acme/members/"


def test_overview_shows_role_specific_panels(client, acme):
    user = MembershipFactory(organization=acme, is_program_manager=True, is_participant=False).user
    client.force_login(user)

    html = client.get("/o/acme/").content.decode()

    assert "Your programs" in html
    assert "Your mentoring" not in html
    assert "Program manager" in html


def test_admin_sees_members_with_their_roles(client, acme, acme_admin, acme_mentor):
    client.force_login(acme_admin)

    html = client.get("/o/acme/members/").content.decode()

    assert acme_mentor.email in html
    assert "Participant" in html and "Admin" in html


def test_members_page_never_lists_another_organisations_people(client, acme_admin, globex_admin):
    client.force_login(acme_admin)

    html = client.get("/o/acme/members/").content.decode()

    assert globex_admin.email not in html


def test_participant_is_refused_the_members_page(client, acme_mentor):
    client.force_login(acme_mentor)

    response = client.get("/o/acme/members/")

    assert response.status_code == 403
    assert "don't have access" in response.content.decode()


def test_member_search_as_you_type_returns_only_the_table(client, acme, acme_admin):
    MembershipFactory(organization=acme, user=UserFactory(email="zoe@example.com", name="Zoe"))
    MembershipFactory(organization=acme, user=UserFactory(email="yan@example.com", name="Yan"))
    client.force_login(acme_admin)

    response = client.get("/o/acme/members/", {"q": "zoe"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "zoe@example.com" in html and "yan@example.com" not in html
    assert "<html" not in html


def test_member_search_with_no_match_says_so(client, acme_admin):
    client.force_login(acme_admin)

    html = client.get("/o/acme/members/", {"q": "nobody-like-this"}).content.decode()

    assert "No members match" in html


def test_member_list_is_paginated_and_keeps_the_search(client, acme, acme_admin):
    for n in range(30):
        MembershipFactory(organization=acme, user=UserFactory(email=f"staff{n:02}@example.com"))
    client.force_login(acme_admin)

    first = client.get("/o/acme/members/", {"q": "staff"}).content.decode()
    second = client.get("/o/acme/members/", {"q": "staff", "page": 2}).content.decode()

    assert "Page 1 of 2" in first
    assert "?q=staff&amp;page=2" in first
    assert second.count("@example.com</td>") == 5


def test_navigation_shows_only_what_the_roles_allow(client, acme_admin, acme_mentor):
    client.force_login(acme_mentor)
    mentor_html = client.get("/o/acme/").content.decode()
    client.force_login(acme_admin)
    admin_html = client.get("/o/acme/").content.decode()

    assert 'href="/o/acme/members/"' not in mentor_html
    assert 'href="/o/acme/members/"' in admin_html


def test_organisation_switcher_lists_every_organisation_of_the_user(client, acme, globex):
    user = MembershipFactory(organization=acme).user
    MembershipFactory(organization=globex, user=user)
    OrganizationFactory(slug="initech")
    client.force_login(user)

    html = client.get("/o/acme/").content.decode()

    assert "Switch organisation" in html
    assert 'href="/o/globex/"' in html
    assert "/o/initech/" not in html


def test_pages_set_the_csrf_header_for_htmx_once(client, acme_admin):
    client.force_login(acme_admin)

    html = client.get("/o/acme/").content.decode()

    assert html.count('hx-headers=\'{"X-CSRFToken"') == 1
    assert "vendor/htmx-2.0.11/htmx.min.js" in html
