"""Flash messages are a list inside a live region: the role sits on the wrapper, so the
list keeps its semantics for screen readers (axe-core's listitem and aria-allowed-role
rules failed when role="status" sat on the <ul>)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_messages_are_list_items_of_a_list_inside_a_status_region(client, acme, acme_mentor):
    client.force_login(acme_mentor)

    page = client.post("/o/acme/notifications/read/", follow=True).content.decode()

    region = re.search(
        r'<div class="messages" role="status" aria-live="polite">(.*?)</div>', page, re.S
    )
    assert region, "the live region wraps the messages"
    assert re.search(
        r'<ul class="messages-list">\s*<li class="alert alert-success">', region.group(1)
    )
    assert "All notifications are marked as read." in region.group(1)
    assert not re.search(r"<ul[^>]*role=", page)
