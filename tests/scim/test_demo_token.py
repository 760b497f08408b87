"""seed_demo's SCIM token: published, the same every run, made once, and it works."""

import pytest

from demo.organizations import _demo_scim_tokens
from organizations.tenancy import tenant_context
from scim.models import ScimToken

pytestmark = pytest.mark.django_db


def test_the_demo_token_is_the_same_every_run_made_once_and_works(client, acme, globex):
    first = _demo_scim_tokens()
    second = _demo_scim_tokens()

    assert (
        first
        == second
        == {
            "Acme": "upturnscim_acme_demo-token-for-trying-scim",
            "Globex": "upturnscim_globex_demo-token-for-trying-scim",
        }
    )
    with tenant_context(organization=acme):
        assert ScimToken.objects.count() == 1
    response = client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {first['Acme']}")
    assert response.status_code == 200
