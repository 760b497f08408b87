"""Confidentiality of what a pair writes, tried through every route there is.

Ann (mentor) and Dan (mentee) are a published pair. Each logs a session that took place
with a private note, a shared note and a reflection (what they learned and taught); the
pair also has a goal, a commitment and a scheduled session with an agenda. Every piece of
text is a distinctive marker. Then each reader requests every route of our apps (the
pages, the HTMX partials, the CSV exports and the API), enumerated from the URL
configuration by ``tests/routes.py`` (as for the cross-tenant test), its ids pointing at
this organisation's real objects: the pair, the logged session, the scheduled session and
each person of the pair. No body may hold a marker its reader is not entitled to:

- a private note: its author only (not even the other person of the pair);
- a shared note, the reflections (learned, taught), the goal's and the commitment's
  wording, the agenda and the messages of their conversation: the two people of the
  pair only.

Program managers see activity and never note text (DESIGN.md); we read reflections,
goals, commitments and agendas as what the pair wrote, so they stay the pair's too (as
``sessions/manager_selectors.py`` promises: counts, dates, ratings and statuses only).
Admins, executives ("aggregates only"), another participant of the program, a member
holding every role, a visitor who is not signed in and API keys of every role see none.

The test can fail: Ann and Dan must find every marker they are entitled to somewhere,
and Ann must find her private note on the session page, so a marker that leaked would
be found.
"""

import itertools
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from organizations.api_keys import api_key_create
from organizations.models import Membership
from organizations.roles import Role
from organizations.tenancy import tenant_context
from privacy.services.export import export_build, export_request
from programs.models import ProgramManager, Topic
from sessions import conversation, services
from sessions.feeds import calendar_feed_token_hash
from sessions.models import CalendarFeed, MentoringSession
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory
from tests.routes import body_of, urls_for
from tests.tenant_world import (
    EVERY_ROLE,
    build_identity_objects,
    build_program_objects,
    build_survey_objects,
    world_pair,
)

pytestmark = pytest.mark.django_db

TOKEN = "a-known-token-for-the-confidentiality-test"  # noqa: S105
FEED_TOKEN = "a-known-feed-token-for-the-confidentiality-test"  # noqa: S105

# Distinctive, short (a truncated excerpt would still be caught) and free of anything
# HTML, JSON or CSV would escape.
ANN_PRIVATE = "Zq7AnnPrivateNote"
DAN_PRIVATE = "Zq7DanPrivateNote"
PAIR_ONLY = {
    "shared note (Ann)": "Zq7AnnSharedNote",
    "shared note (Dan)": "Zq7DanSharedNote",
    "learned (Ann)": "Zq7AnnLearned",
    "taught (Ann)": "Zq7AnnTaught",
    "learned (Dan)": "Zq7DanLearned",
    "taught (Dan)": "Zq7DanTaught",
    "goal": "Zq7GoalTitle",
    "commitment": "Zq7CommitmentText",
    "agenda": "Zq7AgendaText",
    "message (Ann)": "Zq7AnnMessage",
    "message (Dan)": "Zq7DanMessage",
}
MARKERS = {"private note (Ann)": ANN_PRIVATE, "private note (Dan)": DAN_PRIVATE, **PAIR_ONLY}
ENTITLED = {
    "ann": {"private note (Ann)", *PAIR_ONLY},
    "dan": {"private note (Dan)", *PAIR_ONLY},
}
HTMX = {"HTTP_HX_REQUEST": "true"}

# Readers: signed-in members by the flags of their membership, then API keys by roles.
MEMBERS = {
    "ann": None,  # the mentor, author of one private note
    "dan": None,  # the mentee: "the other person of the pair" for Ann's note
    "eve": None,  # another participant of the same program, not in the pair
    "manager": {"is_program_manager": True, "is_participant": False},
    "admin": {"is_admin": True, "is_participant": False},
    "executive": {"is_executive": True, "is_participant": False},
    "every_role": EVERY_ROLE,
}
KEYS = {
    "key_admin": {Role.ADMIN},
    "key_manager": {Role.PROGRAM_MANAGER},
    "key_executive": {Role.EXECUTIVE},
    "key_participant": {Role.PARTICIPANT},
    "key_every_role": set(Role),
}
READERS = [*MEMBERS, "anonymous", *KEYS]
# A route each reader must reach (200), so a reader who only met redirects or refusals
# does not pass for one who saw nothing.
MUST_REACH = {
    "ann": "mentoring:session",
    "dan": "mentoring:session",
    "eve": "home:my_programs",
    "manager": "mentoring_manager:pairs",
    "admin": "mentoring_manager:pairs",
    "executive": "home:overview",
    "anonymous": "calendar_feed",  # the address is the credential
    "every_role": "mentoring_manager:pairs",
    "key_admin": "api_employee_list",
    "key_manager": "api_employee_list",
    "key_every_role": "api_employee_list",
}


@pytest.fixture
def pair(acme, world):
    """Ann and Dan, published; Ann, Dan and Eve can sign in."""
    pair = world_pair(acme, world)
    for name in ("ann", "dan", "eve"):
        MembershipFactory(organization=acme, user=UserFactory(email=f"{name}@acme.example"))
    return pair


def _user(name: str) -> User:
    return User.objects.get(email=f"{name}@acme.example")


@pytest.fixture
def written(acme, world, pair):
    """Everything the pair writes, each a marker, written as the app writes it: notes on
    their author's behalf (the row-level policy on PostgreSQL sees to that)."""
    ann, dan = world["Ann"], world["Dan"]
    with tenant_context(organization=acme):
        logged = MentoringSession.objects.create(
            organization=acme, pair=pair, starts_at=timezone.now() - timedelta(hours=3)
        )
    for person, user, who in ((ann, _user("ann"), "Ann"), (dan, _user("dan"), "Dan")):
        with tenant_context(organization=acme, user=user):
            services.session_log(
                pair=pair,
                actor=person,
                user=user,
                session=logged,
                log=services.Log(
                    held=True,
                    held_minutes=55,
                    rating=4,
                    learned=PAIR_ONLY[f"learned ({who})"],
                    taught=PAIR_ONLY[f"taught ({who})"],
                    shared_note=PAIR_ONLY[f"shared note ({who})"],
                    private_note=MARKERS[f"private note ({who})"],
                ),
            )
    with tenant_context(organization=acme, user=_user("ann")):
        scheduled = services.session_schedule(
            pair=pair,
            actor=ann,
            plan=services.Plan(
                starts_at=timezone.now() + timedelta(days=7),
                duration_minutes=60,
                agenda=PAIR_ONLY["agenda"],
            ),
        )
        goal = services.goal_add(pair=pair, actor=ann, title=PAIR_ONLY["goal"])
    with tenant_context(organization=acme, user=_user("dan")):
        commitment = services.commitment_add(
            pair=pair, actor=dan, text=PAIR_ONLY["commitment"], theme="tool", session=logged
        )
    for person, who in ((ann, "Ann"), (dan, "Dan")):
        with tenant_context(organization=acme, user=_user(who.lower())):
            conversation.message_send(pair=pair, sender=person, text=PAIR_ONLY[f"message ({who})"])
    return {"logged": logged, "scheduled": scheduled, "goal": goal, "commitment": commitment}


@pytest.fixture
def worlds(acme, world, pair, written):
    """The organisation's objects by URL keyword (as in tests/test_cross_tenant.py, read
    by ``tests.routes.value_for``), in variants: ids of Ann's side and of Dan's, of the logged
    session and of the scheduled one. Kinds no route here points at need no entry;
    ``test_every_route_can_be_pointed_at_real_objects`` says when one is missing."""
    program = world["program"]
    with tenant_context(organization=acme):
        memberships = {
            m.user.email.split("@")[0]: m
            for m in Membership.objects.filter(organization=acme).select_related("user")
        }
        common = {
            "organization": acme,
            "token": TOKEN,
            "program_id": program,
            "cohort_id": world["cohort"],
            "run_id": pair.run,
            "pair_id": pair,
            "goal_id": written["goal"],
            "commitment_id": written["commitment"],
            "topic_id": Topic.objects.get(),
            **build_program_objects(
                organization=acme, program=program, recipient=memberships["ann"], token=TOKEN
            ),
            **build_survey_objects(
                organization=acme, program=program, cohort=world["cohort"], participant=world["Ann"]
            ),
            # Single sign-on's admin pages and the emailed domain link: nothing of a pair.
            **build_identity_objects(acme),
        }
        # Ann's and Dan's calendar feeds: the address is the credential, so every reader
        # (anonymous included) fetches them, and they must carry none of the markers.
        for who in ("ann", "dan"):
            CalendarFeed.objects.create(
                organization=acme,
                membership=memberships[who],
                token_hash=calendar_feed_token_hash(f"{FEED_TOKEN}-{who}"),
            )
        # Ann's and Dan's personal data exports, built as the task builds them (on the
        # person's behalf): only their own person may download one.
        exports = {}
        for who in ("ann", "dan"):
            export = export_request(organization=acme, membership=memberships[who])
            exports[who] = export_build(organization=acme, export_id=export.pk)
    variants = []
    for who, session in itertools.product(("Ann", "Dan"), ("logged", "scheduled")):
        person = world[who]
        # First the person's own objects: ``value_for`` takes an API route's ``pk`` from the
        # first object of the view's model.
        variants.append(
            {
                "employee_id": person.employee,
                "membership_id": memberships[who.lower()],
                "participant_id": person,
                "session_id": written[session],
                "feed_token": f"{FEED_TOKEN}-{who.lower()}",
                "dataexport_id": exports[who.lower()],
                **common,
            }
        )
    return variants


@pytest.fixture
def as_reader(client, acme, world, pair):
    """Signs the test client in as the named reader; returns the extra request headers."""

    def become(reader: str) -> dict[str, str]:
        if reader in MEMBERS:
            user = _user(reader) if reader in ("ann", "dan", "eve") else None
            if user is None:
                membership = MembershipFactory(organization=acme, **MEMBERS[reader])
                if membership.is_program_manager:
                    # They reach the programs they manage: here, the world's.
                    with tenant_context(organization=acme):
                        ProgramManager.objects.create(
                            organization=acme, program=world["program"], membership=membership
                        )
                user = membership.user
            client.force_login(user)
            return {}
        if reader in KEYS:
            with tenant_context(organization=acme):
                _, raw = api_key_create(
                    organization=acme, actor=None, name=reader, roles=KEYS[reader]
                )
            return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        return {}

    return become


def test_every_route_can_be_pointed_at_real_objects(worlds, acme):
    urls, missing = urls_for(worlds, acme.slug)
    assert missing == {}, (
        "tests/sessions/test_confidentiality.py has nothing of this organisation to point"
        f" these URL keywords at: add an object of that kind to ``worlds``: {missing}"
    )
    assert {"mentoring:session", "mentoring_manager:pairs_export", "api_member_list"} <= set(urls)


@pytest.mark.parametrize("reader", READERS)
def test_nobody_reads_what_they_are_not_entitled_to_through_any_route(
    client, acme, worlds, as_reader, reader, written
):
    assert not acme.require_mfa_for_staff  # else staff would only meet the MFA set-up page
    headers = as_reader(reader)
    urls, missing = urls_for(worlds, acme.slug)
    assert missing == {}
    entitled = ENTITLED.get(reader, set())
    leaks, errors, seen, statuses, reached = [], [], set(), Counter(), set()

    tried = 0
    for name, route_urls in urls.items():
        for url in route_urls:
            # The full page, and the HTMX partial (with the filters a list may take).
            for path, extra in ((url, {}), (f"{url}?cohort={worlds[0]['cohort_id'].pk}", HTMX)):
                tried += 1
                try:
                    response = client.get(path, **headers, **extra)
                except Exception as error:  # noqa: BLE001 (a crash is reported, not hidden)
                    errors.append((name, path, repr(error)))
                    continue
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    reached.add(name)
                body = body_of(response)
                found = {label for label, marker in MARKERS.items() if marker.encode() in body}
                seen |= found
                leaks += [(name, path, bool(extra), label) for label in sorted(found - entitled)]

    print(
        f"\n{reader}: {len(urls)} (route, reader) combinations, {tried} requests,"
        f" {len(reached)} routes answered 200; statuses {dict(sorted(statuses.items()))}"
    )
    assert leaks == [], f"{reader} read what is not theirs: {leaks}"
    assert errors == [], errors
    if reader in MUST_REACH:
        assert MUST_REACH[reader] in reached, f"{reader} never reached {MUST_REACH[reader]}"
    if reader in ENTITLED:
        # Every marker they are entitled to is found somewhere: so one that leaked would be.
        assert seen == entitled, sorted(entitled - seen)
    if reader in MEMBERS:
        # Still signed in (nothing above signed them out, which would prove nothing).
        assert client.get(reverse("home:overview", args=[acme.slug])).status_code == 200


def test_the_author_sees_the_private_note_on_the_session_page_and_the_partner_does_not(
    client, acme, pair, written, as_reader
):
    """The sanity check: the marker is found where it is meant to be."""
    url = reverse(
        "mentoring:session",
        kwargs={"org_slug": acme.slug, "pair_id": pair.pk, "session_id": written["logged"].pk},
    )
    as_reader("ann")
    ann_sees = client.get(url).content.decode()
    as_reader("dan")
    dan_sees = client.get(url).content.decode()

    assert ANN_PRIVATE in ann_sees and PAIR_ONLY["shared note (Dan)"] in ann_sees
    assert DAN_PRIVATE not in ann_sees
    assert DAN_PRIVATE in dan_sees and PAIR_ONLY["shared note (Ann)"] in dan_sees
    assert ANN_PRIVATE not in dan_sees
