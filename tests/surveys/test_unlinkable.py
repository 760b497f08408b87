"""An anonymous answer cannot be tied to its author by anyone reading the database, at any
moment: tried on PostgreSQL as an attacker would, with the application's role and with
the tables' owner, right after the answers are given and again after their release.

Each person answers in a transaction of their own, with a free text only they wrote (a
marker), so a link, if there were one, would show as a marker next to a person. The
attacks: rows written by or next to a person's transaction (``xmin``), commit order,
physical row order (``ctid``), sequence values, ids, the week, and what Redis and the
logs hold.
"""

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from organizations.tenancy import tenant_context
from surveys.models import Assignment, Response
from surveys.services import response_submit, responses_release
from tests.helpers import is_postgresql, require
from tests.surveys.helpers import (
    MENTEES,
    MENTORS,
    anonymous_schedule,
    contains_marker,
    rows_as_readers,
)

pytestmark = pytest.mark.django_db(transaction=True)

NEAR = 3  # transaction ids this close to a person's are "adjacent"


def _marker(n: int) -> str:
    return f"Zq7Marker{n:02d}Text"


@pytest.fixture
def answered(acme, cohort, caplog):  # noqa: F811
    require(is_postgresql(), "transaction ids and row order are PostgreSQL's")
    caplog.set_level(logging.DEBUG)
    schedule = anonymous_schedule(acme, cohort, anchor="each_session")
    with tenant_context(organization=acme):
        question = schedule.survey.questions.get(type="text").pk
        agreement = schedule.survey.questions.get(type="agreement").pk
        order = list(
            Assignment.objects.filter(schedule=schedule, participant__role="mentor")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    for n, pk in enumerate(order):  # one transaction each, as separate requests are
        with tenant_context(organization=acme):
            response_submit(
                assignment=Assignment.objects.get(pk=pk),
                answers={agreement: 1 + n % 5, question: _marker(n)},
            )
    with tenant_context(organization=acme), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, xmin::text::bigint FROM surveys_assignment WHERE answered AND id = ANY(%s)",
            [order],
        )
        person_xmin = dict(cursor.fetchall())
    return {"schedule": schedule, "order": order, "xmin": person_xmin}


def test_before_release_no_row_anywhere_holds_an_answer(acme, answered, caplog):
    """Right after the answers commit, as either reader: no table holds any marker, so
    the rows written by (or next to) a person's transaction carry nothing of theirs."""
    xmins = set(answered["xmin"].values())
    assert len(xmins) == MENTORS  # one transaction each: a real test of the joins
    for reader, rows in rows_as_readers(acme).items():
        near = [r for r in rows if any(abs(r[0] - x) <= NEAR for x in xmins)]
        assert any(table == "surveys_heldresponse" for _x, table, _t in near), reader
        for n in range(MENTORS):
            found = [
                (table, xmin) for xmin, table, text in rows if contains_marker(text, _marker(n))
            ]
            assert found == [], f"{reader} reads answer {n} in {found}"
    assert not any(contains_marker(r.getMessage(), "Zq7Marker") for r in caplog.records)


def test_before_release_redis_holds_no_answer(acme, answered):
    require(bool(settings.REDIS_URL), "no Redis configured")
    import redis

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter():
        kind = client.type(key).decode()
        value = client.dump(key) or b""
        assert b"Zq7Marker" not in key + value, f"Redis key {key!r} ({kind}) holds an answer"


def test_after_release_each_join_points_at_the_whole_batch_or_at_nobody(acme, answered, caplog):
    with tenant_context(organization=acme):
        released = responses_release(organization=acme, now=timezone.now())
    assert released == MENTORS
    assert not any(contains_marker(r.getMessage(), "Zq7Marker") for r in caplog.records)

    person_xmins = set(answered["xmin"].values())
    for reader, rows in rows_as_readers(acme).items():
        batch = {
            table: [(xmin, text) for xmin, t, text in rows if t == table]
            for table in ("surveys_response", "surveys_answer")
        }
        answers = [(x, text) for x, text in batch["surveys_answer"] if "Zq7Marker" in text]
        assert len(answers) == MENTORS, reader
        # Transaction ids: one for the whole batch, none of a person's, nor next to one
        # (were it next to the last answer's, it would point at all of them alike).
        released_xmins = {x for x, _t in batch["surveys_response"]} | {x for x, _t in answers}
        assert len(released_xmins) == 1, reader
        assert not released_xmins & person_xmins, reader
        # The week: one for the batch.
        with tenant_context(organization=acme):
            weeks = set(Response.objects.values_list("week", flat=True))
            ids = list(Response.objects.values_list("id", flat=True))
        assert len(weeks) == 1
        assert {uuid.version for uuid in ids} == {4}  # random, not time-ordered


def test_after_release_row_order_and_ids_do_not_follow_who_answered_first(acme, answered):
    """The batch is written in a random order: the answers' physical order and their
    sequence of ids are not the order people answered in (6! orders; one in 720 runs
    would draw the same order by chance, so three batches are tried)."""
    with tenant_context(organization=acme):
        responses_release(organization=acme, now=timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT value #>> '{}' FROM surveys_answer "
                "WHERE value::text LIKE '%%Zq7Marker%%' ORDER BY ctid"
            )
            by_ctid = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT value #>> '{}' FROM surveys_answer "
                "WHERE value::text LIKE '%%Zq7Marker%%' ORDER BY id"
            )
            by_id = [row[0] for row in cursor.fetchall()]
    submitted = [_marker(n) for n in range(MENTORS)]
    assert sorted(by_ctid) == sorted(submitted)
    assert by_ctid == by_id  # one insert after another: the id order is the row order
    assert by_ctid != submitted and by_ctid != submitted[::-1]


def test_no_join_links_in_a_batch_of_both_roles_released_without_roles(acme, cohort):  # noqa: F811
    """A one-window survey at close: six mentors and three mentees go out together
    without their roles, so the mentees are not a group of three in the rows."""
    require(is_postgresql(), "transaction ids are PostgreSQL's")
    schedule = anonymous_schedule(acme, cohort)
    with tenant_context(organization=acme):
        question = schedule.survey.questions.get(type="text").pk
        agreement = schedule.survey.questions.get(type="agreement").pk
        order = list(
            Assignment.objects.filter(schedule=schedule).order_by("pk").values_list("pk", flat=True)
        )
    for n, pk in enumerate(order):
        with tenant_context(organization=acme):
            response_submit(
                assignment=Assignment.objects.get(pk=pk),
                answers={agreement: 3, question: _marker(n)},
            )
    with tenant_context(organization=acme):
        assert responses_release(organization=acme, now=timezone.now() + timedelta(days=15)) == (
            MENTORS + MENTEES
        )
        rows = set(Response.objects.values_list("role", "week", "cohort_id", "participant_id"))
    assert len(rows) == 1  # every released answer looks the same but for its content
    assert next(iter(rows))[0] == "" and next(iter(rows))[3] is None
