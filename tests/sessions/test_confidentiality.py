"""Confidentiality of what a pair writes, tried through every route there is.

Ann (mentor) and Dan (mentee) are a published pair. Each logs a session that took place
with a private note, a shared note and a reflection (what they learned and taught); the
pair also has a goal, a commitment and a scheduled session with an agenda. Every piece of
text is a distinctive marker. Then each reader requests every route of our apps (the
pages, the HTMX partials, the CSV exports and the API), enumerated from the URL
configuration with the machinery of ``tests/test_cross_tenant.py``, its ids pointing at
this organisation's real objects: the pair, the logged session, the scheduled session and
each person of the pair. No body may hold a marker its reader is not entitled to:

- a private note: its author only (not even the other person of the pair);
- a shared note, the reflections (learned, taught), the goal's and the commitment's
  wording and the agenda: the two people of the pair only.

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
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from matching import services as matching
from matching.models import Pair
from organizations.api_keys import api_key_create
from organizations.models import DirectoryImport, Invitation, Membership
from organizations.roles import Role
from organizations.services import invitation_token_hash
from organizations.tenancy import tenant_context
from programs.models import ProgramManager, ProgramQuestion, Resource, Topic, TrainingModule
from sessions import services
from sessions.models import MentoringSession, Notification, SupportCircle
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory
from tests.test_cross_tenant import SLUG_KWARGS, _is_tenant_route, _is_third_party, _value, _walk

pytestmark = pytest.mark.django_db

TOKEN = "a-known-token-for-the-confidentiality-test"  # noqa: S105

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
    "every_role": {
        "is_admin": True,
        "is_program_manager": True,
        "is_executive": True,
        "is_participant": True,
    },
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
    "eve": "programs:mine",
    "manager": "mentoring_manager:pairs",
    "admin": "mentoring_manager:pairs",
    "executive": "organizations:overview",
    "every_role": "mentoring_manager:pairs",
    "key_admin": "api_employee_list",
    "key_manager": "api_employee_list",
    "key_every_role": "api_employee_list",
}


def _routes() -> dict[str, tuple[set[str], object, bool]]:
    """Route name -> (URL keyword arguments, view, ours). Ours: every route of our apps
    and of the API. Other apps' routes (sign-in pages, the admin site) only when they
    take no argument, and never one that signs out."""
    routes = {}
    for name, route, callback in _walk(get_resolver().url_patterns):
        if not name or name in routes:
            continue
        ours = not _is_third_party(callback) or _is_tenant_route(route)
        kwargs = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if ours or (not kwargs and "logout" not in name):
            routes[name] = (kwargs, callback, ours)
    return routes


ROUTES = _routes()


@pytest.fixture
def pair(acme, world):
    """Ann and Dan, published; Ann, Dan and Eve can sign in."""
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        pair = Pair.objects.select_related("mentor", "mentee").get(run=run, mentee=world["Dan"])
    assert pair.mentor == world["Ann"]
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
    return {"logged": logged, "scheduled": scheduled, "goal": goal, "commitment": commitment}


@pytest.fixture
def worlds(acme, world, pair, written):
    """The organisation's objects by URL keyword (as in tests/test_cross_tenant.py, read
    by its ``_value``), in variants: ids of Ann's side and of Dan's, of the logged
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
            "circle_id": SupportCircle.objects.create(
                organization=acme,
                program=program,
                title="Mentors' circle",
                starts_at=timezone.now() + timedelta(days=5),
            ),
            "notification_id": Notification.objects.create(
                organization=acme,
                recipient=memberships["ann"],
                kind="milestone",
                key="milestone:cohort:1:kickoff",
                title="Kick-off",
                body="The pilot starts today.",
                send_after=timezone.now(),
            ),
            "module_id": TrainingModule.objects.create(
                organization=acme, program=program, title="Intro"
            ),
            "resource_id": Resource.objects.create(
                organization=acme, program=program, kind="guide", title="Feedback"
            ),
            "question_id": ProgramQuestion.objects.create(
                organization=acme, program=program, text="Why?"
            ),
            "invitation_id": Invitation.objects.create(
                organization=acme,
                email="invitee@example.com",
                is_participant=True,
                token_hash=invitation_token_hash(TOKEN),
                expires_at=timezone.now() + timedelta(days=7),
            ),
            "import_id": DirectoryImport.objects.create(
                organization=acme,
                original_name="roster.csv",
                status=DirectoryImport.Status.CHECKED,
                file=ContentFile(b"employee_number,name\nZ1,Zed\n", name="roster.csv"),
            ),
            "api_key_id": api_key_create(
                organization=acme, actor=None, name="Listed", roles={Role.ADMIN}
            )[0],
            **_survey_objects(acme, program, world),
        }
    variants = []
    for who, session in itertools.product(("Ann", "Dan"), ("logged", "scheduled")):
        person = world[who]
        # First the person's own objects: ``_value`` takes an API route's ``pk`` from the
        # first object of the view's model.
        variants.append(
            {
                "employee_id": person.employee,
                "membership_id": memberships[who.lower()],
                "participant_id": person,
                "session_id": written[session],
                **common,
            }
        )
    return variants


def _urls(worlds, slug: str) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """Route name -> its URLs (one per distinct filling of its ids), and the URL keywords
    nothing in the worlds can fill (ours only; another app's such route is left out)."""
    urls, missing = {}, {}
    for name, (names, view, ours) in sorted(ROUTES.items()):
        found = set()
        for variant in worlds:
            kwargs = {n: _value(variant, n, view) for n in names - SLUG_KWARGS}
            if unfilled := {n for n, v in kwargs.items() if v is None}:
                if ours:
                    missing[name] = unfilled
                break
            kwargs.update(dict.fromkeys(names & SLUG_KWARGS, slug))
            found.add(reverse(name, kwargs=kwargs))
        else:
            urls[name] = sorted(found)
    return urls, missing


def _body(response) -> bytes:
    """Everything a response says: its headers and its content, streamed or not."""
    # A streamed one (CSV) consumed to the end is closed by the test client: closing it
    # again here would fire request_finished and close the test's database connection.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return str(dict(response.headers)).encode() + content


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
    urls, missing = _urls(worlds, acme.slug)
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
    urls, missing = _urls(worlds, acme.slug)
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
                body = _body(response)
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
        assert client.get(reverse("organizations:overview", args=[acme.slug])).status_code == 200


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


def _survey_objects(acme, program, world) -> dict:
    """One of each survey object the routes point at (the pair's notes are not in them)."""
    from surveys.models import (
        Answer,
        Assignment,
        Concern,
        Question,
        Response,
        Schedule,
        Story,
        Survey,
    )

    survey = Survey.objects.create(organization=acme, program=program, title="Pulse")
    question = Question.objects.create(
        organization=acme, survey=survey, type="agreement", text="Worth it?"
    )
    schedule = Schedule.objects.create(
        organization=acme, survey=survey, cohort=world["cohort"], anchor="cohort_start"
    )
    response = Response.objects.create(
        organization=acme, schedule=schedule, cohort=world["cohort"], role="mentor", week="2027-W01"
    )
    answer = Answer.objects.create(organization=acme, response=response, question=question, value=4)
    return {
        "survey_id": survey,
        "survey_question_id": question,
        "schedule_id": schedule,
        "assignment_id": Assignment.objects.create(
            organization=acme,
            schedule=schedule,
            participant=world["Ann"],
            occasion="cohort_start",
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=14),
        ),
        "story_id": Story.objects.create(organization=acme, program=program, answer=answer),
        "concern_id": Concern.objects.create(
            organization=acme, program=program, text="Worried", week="2027-W01"
        ),
    }
