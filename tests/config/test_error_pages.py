import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_unknown_page_gets_a_friendly_not_found_page(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


def test_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    assert "/static/css/upturn.css" in html


def test_expired_form_explains_itself(acme_admin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(acme_admin)

    response = client.post("/accounts/logout/")

    assert response.status_code == 403
    assert "This page expired" in response.content.decode()
