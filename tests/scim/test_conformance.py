"""scim2-tester, an independent checker of RFC 7643/7644, run against /scim/v2/ on a live
server, as an identity provider would reach it: any check it reports as an error or a
critical failure fails this test, and names the check.

Skipped deliberately: none of its checks. Some report SKIPPED by themselves, each for
what the server declares it does not offer: ``search_with_attributes`` (POST /.search
across resource types: the server answers 501, and the checker skips), and PATCH or
filtering on an attribute the published schemas do not declare (nothing to check).
"""

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from tests.scim.helpers import scim_token

pytestmark = pytest.mark.django_db(transaction=True)


def _run_checker(live_server, organization):
    token = scim_token(organization)
    http = httpx2.Client(
        base_url=f"{live_server.url}/scim/v2",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    with http:
        return check_server(SyncSCIMClient(http))


def test_scim2_tester_reports_no_error_against_the_live_server(live_server, acme):
    results = _run_checker(live_server, acme)

    failures = [
        f"{result.resource_type or ''} {result.title}: {result.reason}"
        for result in results
        if result.status in (Status.ERROR, Status.CRITICAL)
    ]
    passed = [result for result in results if result.status == Status.SUCCESS]
    assert failures == []
    # It did check something: discovery, and the users' and groups' life cycles.
    titles = {result.title for result in passed}
    assert {"object_creation", "object_query", "object_replacement", "object_deletion"} <= titles
    assert {"check_add_attribute", "check_replace_attribute", "check_remove_attribute"} <= titles
    assert {result.resource_type for result in passed} >= {"User", "Group"}
