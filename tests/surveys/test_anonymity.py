"""An anonymous answer cannot be traced to its author through any model, page or API route.

Model level: after Ann answers an anonymous survey through its page, the whole database
differs from before by exactly her ``Response``, its ``Answer`` rows and the ``answered``
flag of her ``Assignment``; the response keeps no person, department or level, has a
random id and no time finer than the ISO week; nothing else in the project (no foreign
key, no audit entry, no notification, no text field) points at it.

Pages and API: every route of our apps and of the API (enumerated from the URL
configuration by ``tests/routes.py``, as for
``tests/sessions/test_confidentiality.py``) is requested by program managers,
admins, executives, a member holding every role, participants (the respondent among
them), a visitor and API keys of every role. Ann's answer carries a distinctive marker:

- with ``show_free_text`` off it appears in no response body at all;
- with ``show_free_text`` on and all five people of the cohort answering (the smallest
  group results may show), a body that shows anyone's marker never names that person.

The mentors' anonymous concern is tried the same way: the mentee of the pair never
reads it, and where it is shown it names neither its author nor the pair.
"""

import re
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from organizations.api_keys import api_key_create
from organizations.models import AuditEntry, Membership
from organizations.roles import Role
from organizations.tenancy import TenantModel, tenant_context
from privacy.services.export import export_build, export_request
from programs.models import (
    Program,
    ProgramManager,
    Topic,
)
from sessions.feeds import calendar_feed_token_hash
from sessions.models import CalendarFeed, Commitment, Goal, MentoringSession
from surveys.models import Answer, Assignment, Concern, HeldResponse, Response, Story
from surveys.services import responses_release
from tests.organizations.factories import MembershipFactory
from tests.routes import READABLE_ROUTES, body_of, urls_for
from tests.surveys.helpers import (
    PEOPLE,
    answer_url,
    assign,
    full_answer,
    login,
    make_schedule,
    make_survey,
    sign_in_people,
)
from tests.tenant_world import EVERY_ROLE, build_identity_objects, build_program_objects, world_pair

pytestmark = pytest.mark.django_db

TOKEN = "a-known-token-for-the-anonymity-test"  # noqa: S105
FEED_TOKEN = "a-known-feed-token-for-the-anonymity-test"  # noqa: S105
# Distinctive, short and free of anything HTML, JSON or CSV would escape.
MARKERS = {name: f"Zq8{name.capitalize()}AnswerText" for name in PEOPLE}
CONCERN = "Zq8AnnConcernText"
NAMES = {
    "ann": ("Ann Junior", "ann@acme.example"),
    "bea": ("Bea Junior", "bea@acme.example"),
    "cy": ("Cy Junior", "cy@acme.example"),
    "dan": ("Dan Senior", "dan@acme.example"),
    "eve": ("Eve Senior", "eve@acme.example"),
}
HTMX = {"HTTP_HX_REQUEST": "true"}

STAFF = {
    "manager": {"is_program_manager": True, "is_participant": False},
    "admin": {"is_admin": True, "is_participant": False},
    "executive": {"is_executive": True, "is_participant": False},
    "every_role": EVERY_ROLE,
}
KEYS = {
    "key_admin": {Role.ADMIN},
    "key_manager": {Role.PROGRAM_MANAGER},
    "key_executive": {Role.EXECUTIVE},
    "key_every_role": set(Role),
}
# A route each reader must reach (200), so that one who met only refusals proves nothing.
MUST_REACH = {
    "manager": "surveys_respond:concerns",
    "admin": "surveys_respond:concerns",
    "every_role": "surveys_respond:concerns",
    "executive": "home:overview",
    "ann": "surveys_respond:mine",
    "dan": "mentoring:pair",
    "key_admin": "api_employee_list",
}


# --- The world ---------------------------------------------------------------------------


@pytest.fixture
def pair(acme, world):
    pair = world_pair(acme, world)
    sign_in_people(acme)
    return pair


def _survey(acme, world, *, show_free_text):
    with tenant_context(organization=acme):
        survey = make_survey(acme, world["program"], show_free_text=show_free_text)
        schedule = make_schedule(acme, survey, world["cohort"])
        assignments = {name: assign(acme, schedule, world[name.capitalize()]) for name in PEOPLE}
    return survey, schedule, assignments


def _answer(client, survey, assignment, name, *, consent=False, sign_in=True):
    if sign_in:
        login(client, name)
    response = client.post(
        answer_url(assignment), full_answer(survey, text=MARKERS[name], consent=consent)
    )
    assert response.status_code == 302, response.content.decode()
    release(survey.organization)


def release(organization):
    """What the beat does once the survey has closed: the held anonymous answers go into
    Response together, if they are at least the smallest group (surveys/sealing.py)."""
    with tenant_context(organization=organization):
        responses_release(organization=organization, now=timezone.now() + timedelta(days=15))


def _variant(acme, world, pair, survey, schedule, assignments) -> dict:
    """An object for every URL keyword a route of ours takes (read by ``value_for``)."""
    program, ann = world["program"], world["Ann"]
    with tenant_context(organization=acme):
        session = MentoringSession.objects.create(
            organization=acme, pair=pair, starts_at=timezone.now() - timedelta(days=2)
        )
        memberships = {
            m.user.email: m
            for m in Membership.objects.filter(organization=acme).select_related("user")
        }
        story = Story.objects.get(program=program)  # Bea's, given with consent
        CalendarFeed.objects.create(
            organization=acme,
            membership=memberships["ann@acme.example"],
            token_hash=calendar_feed_token_hash(FEED_TOKEN),
        )
        # Ann's personal data export, built as the task builds it: her attributed answers
        # only, never an anonymous one (read inside the zip: tests.routes.body_of).
        export = export_request(organization=acme, membership=memberships["ann@acme.example"])
        export = export_build(organization=acme, export_id=export.pk)
        return {
            "dataexport_id": export,
            "organization": acme,
            "token": TOKEN,
            "feed_token": FEED_TOKEN,
            "program_id": program,
            "cohort_id": world["cohort"],
            "participant_id": ann,
            "employee_id": ann.employee,
            "membership_id": memberships["ann@acme.example"],
            "run_id": pair.run,
            "pair_id": pair,
            "session_id": session,
            "goal_id": Goal.objects.create(organization=acme, pair=pair, title="Try it"),
            "commitment_id": Commitment.objects.create(
                organization=acme, pair=pair, participant=pair.mentee, text="Use AI", theme="tool"
            ),
            "topic_id": Topic.objects.get(),
            **build_program_objects(
                organization=acme,
                program=program,
                recipient=memberships["ann@acme.example"],
                token=TOKEN,
            ),
            "survey_id": survey,
            "survey_question_id": survey.questions.first(),
            "schedule_id": schedule,
            "assignment_id": assignments["ann"],
            "story_id": story,
            "concern_id": Concern.objects.get(text=CONCERN),
            **build_identity_objects(acme),
        }


def _raise_concern(client, pair):
    login(client, "ann")
    url = reverse("surveys_respond:concern", kwargs={"org_slug": "acme", "pair_id": pair.pk})
    assert client.post(url, {"text": CONCERN, "how": "anonymous"}).status_code == 302


def _become(client, acme, reader: str) -> dict:
    """Sign the client in as ``reader``; the extra request headers (an API key's)."""
    client.logout()
    if reader in PEOPLE:
        login(client, reader)
    elif reader in STAFF:
        membership = MembershipFactory(organization=acme, **STAFF[reader])
        with tenant_context(organization=acme):
            # A program manager reaches the programs they manage: here, every one.
            ProgramManager.objects.bulk_create(
                ProgramManager(organization=acme, program=program, membership=membership)
                for program in Program.objects.all()
                if membership.is_program_manager
            )
        client.force_login(membership.user)
    elif reader in KEYS:
        with tenant_context(organization=acme):
            _, raw = api_key_create(organization=acme, actor=None, name=reader, roles=KEYS[reader])
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    return {}


def _read_everything(client, acme, variant, headers):
    """[(route name, url, status, body)] for every route, as a full page and as HTMX."""
    urls, missing = urls_for([variant], acme.slug)
    assert missing == {}, (
        "tests/surveys/test_anonymity.py has nothing to point these URL keywords at: add an"
        f" object of that kind to ``_variant``: {missing}"
    )
    pages = []
    for name, route_urls in urls.items():
        for url in route_urls:
            for path, extra in ((url, {}), (f"{url}?cohort={variant['cohort_id'].pk}", HTMX)):
                response = client.get(path, **headers, **extra)
                pages.append((name, path, response.status_code, body_of(response)))
    return pages


# --- (a) Model level -----------------------------------------------------------------------


def _database(acme) -> dict[str, dict]:
    """Every row of every model, by model and primary key (the organisation's rows of the
    tenant-owned ones, which on PostgreSQL are all the application role can see)."""
    rows = {}
    with tenant_context(organization=acme):
        for model in apps.get_models():
            if model._meta.label == "sessions.Session":  # Django's, the signed-in session
                continue
            manager = model.objects if issubclass(model, TenantModel) else model._default_manager
            rows[model._meta.label] = {row["pk"]: row for row in _values(manager.all())}
    return rows


def _values(queryset):
    fields = [f.attname for f in queryset.model._meta.concrete_fields]
    return [{"pk": row[queryset.model._meta.pk.attname], **row} for row in queryset.values(*fields)]


def _changes(before, after):
    """{model label: (added pks, removed pks, {changed pk: {field: (old, new)}})}"""
    changes = {}
    for label, rows in after.items():
        old = before[label]
        added, removed = set(rows) - set(old), set(old) - set(rows)
        changed = {
            pk: {k: (old[pk][k], v) for k, v in row.items() if old[pk][k] != v}
            for pk, row in rows.items()
            if pk in old and old[pk] != row
        }
        if added or removed or changed:
            changes[label] = (added, removed, changed)
    return changes


def _texts(value):
    """Every string inside a value (JSON included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _texts(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _texts(v)
    elif isinstance(value, uuid.UUID):
        yield str(value)


TIME_FIELDS = (models.DateTimeField, models.DateField, models.TimeField, models.DurationField)


def test_an_anonymous_answer_leaves_nothing_that_leads_back_to_its_author(
    client, acme, world, pair
):
    survey, _schedule, assignments = _survey(acme, world, show_free_text=False)
    ann_asked = assignments["ann"]
    login(client, "ann")
    client.get(answer_url(ann_asked))  # the session is warm: signing in changes nothing below
    before = _database(acme)

    _answer(client, survey, ann_asked, "ann", sign_in=False)

    # The whole database moved by exactly: her sealed answer and the answered flag. The
    # sealed row holds nothing readable (checked with every row below).
    held = _database(acme)
    with tenant_context(organization=acme):
        sealed = HeldResponse.objects.get()
    assert _changes(before, held) == {
        "surveys.HeldResponse": ({sealed.pk}, set(), {}),
        "surveys.Assignment": (set(), set(), {ann_asked.pk: {"answered": (False, True)}}),
    }
    assert not any(MARKERS["ann"] in t for row in held.values() for t in _texts(row))

    # The others answer; once the survey has closed, the five go out together.
    for name in PEOPLE[1:]:
        _answer(client, survey, assignments[name], name)
    after = _database(acme)
    with tenant_context(organization=acme):
        assert not HeldResponse.objects.exists()
        response = Answer.objects.get(value=MARKERS["ann"]).response
        answer_ids = set(Answer.objects.filter(response=response).values_list("pk", flat=True))
        responses = set(Response.objects.values_list("pk", flat=True))
        all_answers = set(Answer.objects.values_list("pk", flat=True))
    assert len(answer_ids) == 6 and len(responses) == 5

    # From before Ann answered: the five responses, their answers, five answered flags.
    changes = _changes(before, after)
    assert changes["surveys.Response"] == (responses, set(), {})
    assert changes["surveys.Answer"] == (all_answers, set(), {})
    # (The others' sign-ins change their users and the audit log; nothing of surveys.)
    assert {label for label in changes if label.startswith("surveys.")} == {
        "surveys.Response",
        "surveys.Answer",
        "surveys.Assignment",
    }

    # The response keeps the cohort, the role and the week; never the person.
    assert (response.participant_id, response.department, response.level) == (None, "", None)
    # Three mentors and two mentees: released without their roles (a group of two
    # would otherwise stand apart).
    assert (response.cohort_id, response.role) == (world["cohort"].pk, "")
    assert re.fullmatch(r"\d{4}-W\d{2}", response.week)
    # A random id: insertion order reveals nothing.
    assert isinstance(response.pk, uuid.UUID) and response.pk.version == 4
    # Nothing on a response or an answer tells the time finer than its week.
    for model in (Response, Answer):
        timed = [f.name for f in model._meta.concrete_fields if isinstance(f, TIME_FIELDS)]
        assert timed == [], f"{model.__name__} keeps a time: {timed}"
    # Whether Ann answered knows nothing of what: no field of Assignment leads to an answer,
    # and nothing of it but ``answered`` changed (no "answered at").
    answers_side = {Response, Answer, Story}
    assert not [
        f.name
        for f in Assignment._meta.get_fields()
        if f.is_relation and f.related_model in answers_side
    ]
    assert not [f.name for f in Assignment._meta.concrete_fields if getattr(f, "auto_now", False)]

    # Across the whole project only an answer points at a response, and only a story at an
    # answer.
    pointing = {
        f"{model._meta.label}.{f.name}"
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model in (Response, Answer)
    }
    assert pointing == {"surveys.Answer.response", "surveys.Story.answer"}
    # No row anywhere holds the response's id as text (an audit target, a notification key,
    # a JSON detail), and no row but the answer holds what Ann wrote.
    ids = {str(response.pk), response.pk.hex}
    for label, rows in after.items():
        for pk, row in rows.items():
            for key, value in row.items():
                texts = set(_texts(value))
                if label != "surveys.Response" and not (
                    label == "surveys.Answer" and key == "response_id"
                ):
                    assert not texts & ids, (label, pk, key)
                if label != "surveys.Answer":
                    assert not any(MARKERS["ann"] in t for t in texts), (label, pk, key)
    with tenant_context(organization=acme):
        audit = list(AuditEntry.objects.values("target_type", "target_id", "details"))
    assert not [a for a in audit if a["target_id"] in ids or "response" in a["target_type"].lower()]


def test_story_consent_on_an_anonymous_answer_does_not_name_anyone(client, acme, world, pair):
    survey, _schedule, assignments = _survey(acme, world, show_free_text=False)

    for name in PEOPLE:  # released together once the five have answered
        _answer(client, survey, assignments[name], name, consent=name == "ann")

    with tenant_context(organization=acme):
        story = Story.objects.select_related("answer__response").get()
        response = story.answer.response
    assert response.story_consent and response.participant_id is None
    assert story.answer.response == response and story.answer.value == MARKERS["ann"]


def test_a_story_keeps_no_time_finer_than_the_week():
    timed = [f.name for f in Story._meta.concrete_fields if isinstance(f, TIME_FIELDS)]
    assert timed == []


# The database's own bookkeeping (transaction ids, row order, ids) is tried, with real
# commits, as the app role and as the owner, in tests/surveys/test_unlinkable.py.


# --- (b) Pages and API -----------------------------------------------------------------------

READERS = [*STAFF, *KEYS, *PEOPLE, "anonymous"]


@pytest.mark.parametrize("reader", READERS)
def test_with_free_text_hidden_an_anonymous_answer_shows_nowhere(client, acme, world, pair, reader):
    """Ann's words appear in no body; the anonymous concern reaches no participant, and
    where a program manager reads it, it names neither Ann nor the pair."""
    survey, schedule, assignments = _survey(acme, world, show_free_text=False)
    for name in PEOPLE:  # released together once the five have answered
        _answer(client, survey, assignments[name], name, consent=name == "bea")  # Bea's story
    _raise_concern(client, pair)
    variant = _variant(acme, world, pair, survey, schedule, assignments)
    headers = _become(client, acme, reader)

    pages = _read_everything(client, acme, variant, headers)

    statuses = Counter(status for _name, _path, status, body_of in pages)
    reached = {name for name, _path, status, body_of in pages if status == 200}
    print(f"\n{reader}: {len(pages)} requests; statuses {dict(sorted(statuses.items()))}")
    errors = [(name, path) for name, path, status, body_of in pages if status >= 500]
    assert errors == []
    leaks = [(name, path) for name, path, _s, body in pages if MARKERS["ann"].encode() in body]
    assert leaks == [], f"{reader} read Ann's anonymous answer: {leaks}"
    concern_pages = [(name, body) for name, _path, _s, body in pages if CONCERN.encode() in body]
    if reader in PEOPLE or reader == "anonymous":
        assert concern_pages == [], f"{reader} read the concern on {[n for n, _ in concern_pages]}"
    for name, body in concern_pages:
        for who in ("ann", "dan"):
            for identity in NAMES[who]:
                assert identity.encode() not in body, f"{name} names {identity} by the concern"
    if reader in ("manager", "admin", "every_role"):
        assert concern_pages, "the program managers' queue should show the concern"
    if reader in MUST_REACH:
        assert MUST_REACH[reader] in reached, f"{reader} never reached {MUST_REACH[reader]}"


RESULT_ROUTES = {name for name in READABLE_ROUTES if name.startswith("surveys_results:")}


@pytest.mark.parametrize("reader", [*STAFF, *KEYS])
def test_with_free_text_shown_a_page_with_an_answer_never_names_its_author(
    client, acme, world, pair, reader
):
    """All five of the cohort answer (a group results may show); wherever someone's words
    appear, their name and email do not."""
    survey, schedule, assignments = _survey(acme, world, show_free_text=True)
    for name in PEOPLE:
        _answer(client, survey, assignments[name], name, consent=name == "bea")
    _raise_concern(client, pair)
    variant = _variant(acme, world, pair, survey, schedule, assignments)
    headers = _become(client, acme, reader)

    pages = _read_everything(client, acme, variant, headers)

    shown, traced = set(), []
    for name, path, _status, body in pages:
        for person, marker in MARKERS.items():
            if marker.encode() in body:
                shown.add(person)
                traced += [
                    (name, path, person, identity)
                    for identity in NAMES[person]
                    if identity.encode() in body
                ]
    print(f"\n{reader}: answers shown on some page: {sorted(shown)}")
    assert traced == [], f"{reader} can trace answers to their authors: {traced}"
    if RESULT_ROUTES and reader in ("manager", "every_role"):
        # Once results pages exist, free text that may be shown is shown somewhere, so a
        # name beside it would be caught.
        assert shown == set(PEOPLE), "results should show the free text the survey allows"
