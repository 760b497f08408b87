"""Differencing attacks on the KPI reports: one person at a time joins a small, hand-made
organisation, and the attacker compares what the outputs show (two consecutive days, two
overlapping periods, the page against the CSV against the API, a trend point against the
next, a rebuilt range against what was shown before). Knowing worst case who was added
on which day, they try to recover that one person's answer or change by subtraction.

The organisation: Acme (UTC), program "Reverse", cohort "Pilot", fourteen approved
participants with one training module. On day k of fifteen (2 to 16 March 2026), k
people have answered "Overall, I am satisfied" (the k-th answer is ``ANSWERS[k - 1]``)
and k have completed their training. Each day's snapshot is written the night after, in
order, as the nightly job does. The threshold is five.

Each attack is also played against the old behaviour (every change published at once,
``changed_enough`` always true): there it recovers every answer, so these tests can fail.
"""

import csv
import io
import itertools
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from directory.models import Department, Employee, EmployeeDemographics
from organizations.roles import Role
from organizations.tenancy import tenant_context
from programs.models import (
    Audience,
    Cohort,
    Participant,
    Program,
    TrainingCompletion,
    TrainingModule,
)
from reports import selectors, services
from reports.measures import BY_KEY, shown
from surveys.models import Answer, Question, Response, Schedule, Survey
from tests.helpers import api_key_headers
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

THRESHOLD = 5
PEOPLE = 14
DAYS = [date(2026, 3, 2) + timedelta(days=k) for k in range(15)]
ANSWERS = [5, 4, 2, 5, 1, 4, 4, 3, 5, 2, 1, 5, 4, 2]  # the k-th person's answer, 1 to 5
FIRST, LAST = DAYS[0].isoformat(), DAYS[-1].isoformat()


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


# --- The organisation, one person a day -------------------------------------------------


def _build(acme) -> dict:
    """Fourteen approved participants with one training module, the end-of-program
    survey, and no answer nor completion yet."""
    acme.time_zone = "UTC"
    acme.save()
    sales = Department.objects.create(organization=acme, name="Sales")
    program = Program.objects.create(
        organization=acme, name="Reverse", start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31), status=Program.Status.ACTIVE,
    )  # fmt: skip
    cohort = Cohort.objects.create(
        organization=acme, program=program, name="Pilot", start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
    )  # fmt: skip
    people = []
    for n in range(PEOPLE):
        employee = Employee.objects.create(
            organization=acme, employee_number=f"p{n}", name=f"Person {n}", department=sales,
            job_level=3, birth_year=1990,
        )  # fmt: skip
        people.append(
            Participant.objects.create(
                organization=acme,
                program=program,
                cohort=cohort,
                employee=employee,
                role="mentor" if n % 2 else "mentee",
                status=Participant.Status.APPROVED,
                invited_at=noon(date(2025, 12, 1)),
                applied_at=noon(date(2025, 12, 5)),
                decided_at=noon(date(2025, 12, 15)),
            )  # fmt: skip
        )
    module = TrainingModule.objects.create(
        organization=acme,
        program=program,
        title="Ground rules",
        audience=Audience.EVERYONE,
        required_before_matching=True,
    )
    survey = Survey.objects.create(
        organization=acme, program=program, kind=Survey.Kind.END, title="End"
    )
    overall = Question.objects.create(
        organization=acme, survey=survey, position=0, type="agreement", text="Overall"
    )
    schedule = Schedule.objects.create(
        organization=acme, survey=survey, cohort=cohort, anchor="cohort_end"
    )
    return {
        "program": program,
        "cohort": cohort,
        "people": people,
        "module": module,
        "overall": overall,
        "schedule": schedule,
        "sales": sales,
    }


def _one_more(acme, world, k: int, day: date) -> None:
    """Day k's news: the k-th person's answer (a week long over, so counted at once)
    and the k-th person's training completed."""
    response = Response.objects.create(
        organization=acme, schedule=world["schedule"], cohort=world["cohort"], role="mentee",
        week="2026-W01",
    )  # fmt: skip
    Answer.objects.create(
        organization=acme, response=response, question=world["overall"], value=ANSWERS[k - 1]
    )
    done = TrainingCompletion.objects.create(
        organization=acme, participant=world["people"][k - 1], module=world["module"]
    )
    TrainingCompletion.objects.filter(pk=done.pk).update(completed_at=noon(day))


@pytest.fixture
def build(acme):
    """Builds the organisation and writes each day's snapshot in order, as the nightly
    job would (under whatever rule is in force when called)."""

    def run() -> dict:
        with tenant_context(organization=acme):
            world = _build(acme)
            for k, day in enumerate(DAYS):
                if k:
                    _one_more(acme, world, k, day)
                services.snapshot_write(organization=acme, day=day)
        return world

    return run


@pytest.fixture
def leaky(monkeypatch):
    """The old behaviour: every change published at once."""
    monkeypatch.setattr("organizations.disclosure.changed_enough", lambda *args: True)


def _truth(key: str, k: int) -> tuple[int, int]:
    """(the group, the count behind the value) on day k."""
    if key == "satisfaction":
        return k, sum(1 for answer in ANSWERS[:k] if answer >= 4)
    return PEOPLE, k  # training: everyone, and those who completed


def _raw(key: str, k: int) -> int | None:
    size, count = _truth(key, k)
    return None if not size else round(100 * count / size)


# --- Reading what the outputs show --------------------------------------------------------


def _api(client, headers, start=FIRST, end=LAST) -> list[dict]:
    response = client.get("/api/v1/reports/kpis/", {"start": start, "end": end}, **headers)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _executive(client, acme) -> None:
    member = MembershipFactory(organization=acme, is_executive=True, is_participant=False)
    client.force_login(member.user)


def _csv(client, start=FIRST, end=LAST) -> list[dict]:
    response = client.get("/o/acme/reports/export.csv", {"start": start, "end": end})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _tile(client, key: str, end: str) -> str:
    html = client.get("/o/acme/reports/", {"start": FIRST, "end": end}).content.decode()
    start = html.index(f'data-kpi="{key}"')
    return html[start : html.index("</article>", start)]


def _tile_value(tile: str) -> int | None:
    value = re.search(r'<p class="kpi-value">([^<]*)</p>', tile).group(1).strip()
    if value == "—":
        assert "fewer than 5" in tile
        return None
    return int(value.rstrip("%").lstrip("+"))


def _series(rows: list[dict], key: str) -> list[tuple[int, int | None, str | None]]:
    """(day index, value shown, day published) for one measure, from the API's rows."""
    index = {day.isoformat(): k for k, day in enumerate(DAYS)}
    return [(index[row["day"]], row[key]["value"], row[key]["published_on"]) for row in rows]


def _recovered(series, key: str) -> dict[int, bool]:
    """The attack: two figures shown whose groups differ by exactly the one person added
    in between (the attacker knows who and when, and the day each figure was published)
    give that person away: satisfied or not, trained or not."""
    index = {day.isoformat(): k for k, day in enumerate(DAYS)}
    published = {index[on]: value for _k, value, on in series if on is not None}
    found = {}
    for early, late in itertools.combinations(sorted(published), 2):
        (size_a, _), (size_b, _) = _truth(key, early), _truth(key, late)
        if key == "satisfaction" and size_b - size_a == 1:
            count_a = round(published[early] * size_a / 100)
            count_b = round(published[late] * size_b / 100)
            found[late - 1] = count_b - count_a == 1  # person late-1 (0-based) satisfied?
        if key == "training" and late - early == 1:
            found[late - 1] = published[late] != published[early]  # completed that day?
    return found


def _assert_nobody_apart(series, key: str) -> None:
    """What every figure shown must hold: it is the true figure of the day it was
    published, and any two different figures come from days whose group, or whose count
    behind the value, differ by at least the threshold."""
    index = {day.isoformat(): k for k, day in enumerate(DAYS)}
    published = {}
    for k, value, on in series:
        if value is None:
            assert on is None
            continue
        assert index[on] <= k
        assert value == _raw(key, index[on]), (k, value, on)
        published.setdefault(index[on], value)
    for early, late in itertools.combinations(sorted(published), 2):
        if published[early] != published[late]:
            (size_a, count_a), (size_b, count_b) = _truth(key, early), _truth(key, late)
            assert abs(size_b - size_a) >= THRESHOLD or abs(count_b - count_a) >= THRESHOLD


# --- Two consecutive days, and a trend point against the next -------------------------------


def test_two_consecutive_days_never_tell_one_persons_answer_or_change(client, acme, build):
    build()
    rows = _api(client, api_key_headers(acme, Role.EXECUTIVE))

    for key in ("satisfaction", "training"):
        series = _series(rows, key)
        _assert_nobody_apart(series, key)
        assert _recovered(series, key) == {}
        for (_k, before, _on), (k, after, on) in itertools.pairwise(series):
            if before != after:  # a new figure shows only on the day it is published
                assert on == DAYS[k].isoformat()
    # Satisfaction: hidden with fewer than five answers, then as of the 5th and 10th.
    assert [value for _k, value, _on in _series(rows, "satisfaction")] == (
        [None] * 5 + [_raw("satisfaction", 5)] * 5 + [_raw("satisfaction", 10)] * 5
    )
    # Training: fourteen people throughout, published again at each fifth completion.
    assert [value for _k, value, _on in _series(rows, "training")] == (
        [0] * 5 + [_raw("training", 5)] * 5 + [_raw("training", 10)] * 5
    )


def test_the_same_attack_recovers_every_answer_when_every_change_is_published(
    client, acme, build, leaky
):
    build()
    rows = _api(client, api_key_headers(acme, Role.EXECUTIVE))

    satisfied = _recovered(_series(rows, "satisfaction"), "satisfaction")
    assert satisfied == {n: ANSWERS[n] >= 4 for n in range(5, 14)}
    trained = _recovered(_series(rows, "training"), "training")
    assert trained == dict.fromkeys(range(14), True)
    with pytest.raises(AssertionError):
        _assert_nobody_apart(_series(rows, "satisfaction"), "satisfaction")


def test_a_trend_point_and_the_next_agree_with_the_days_they_show(client, acme, build):
    """The dashboard's trend (its rates chart and sparklines) is the published days."""
    build()
    with tenant_context(organization=acme):
        board = selectors.dashboard_get(
            organization=acme, program=None, start=DAYS[0], end=DAYS[-1]
        )
    points = {tile.measure.key: tile for tile in board.tiles}
    rows = _api(client, api_key_headers(acme, Role.EXECUTIVE))

    for key in ("satisfaction", "training"):
        shown = [row[key]["value"] for row in rows]
        assert [round(v) if v is not None else None for v in _points(board, key)] == shown
    assert points["training"].shown.rounded == _raw("training", 10)
    assert points["training"].shown.on == DAYS[10]


def _points(board, key: str) -> list[float | None]:
    return [shown(BY_KEY[key], row, board.threshold).value for row in board.trend]


# --- Two overlapping periods ---------------------------------------------------------------


def test_two_overlapping_periods_show_the_same_figure_for_every_day_they_share(client, acme, build):
    build()
    headers = api_key_headers(acme, Role.EXECUTIVE)

    early = _api(client, headers, FIRST, DAYS[9].isoformat())
    late = _api(client, headers, DAYS[3].isoformat(), LAST)

    by_day = {row["day"]: row for row in late}
    shared = [row for row in early if row["day"] in by_day]
    assert len(shared) == 7
    for row in shared:
        assert row == by_day[row["day"]]
    for key in ("satisfaction", "training"):
        _assert_nobody_apart(_series(early, key) + _series(late, key), key)


# --- The page, the CSV and the API of one day ------------------------------------------------


def test_the_page_the_csv_and_the_api_show_the_same_figures_every_day(client, acme, build):
    build()
    api = {row["day"]: row for row in _api(client, api_key_headers(acme, Role.EXECUTIVE))}
    _executive(client, acme)
    exported = {row["day"]: row for row in _csv(client)}

    for k in (0, 4, 5, 6, 9, 10, 14):
        day = DAYS[k].isoformat()
        for key in ("satisfaction", "training", "sessions", "nps"):
            from_api = api[day][key]["value"]
            from_csv = exported[day][key]
            from_page = _tile_value(_tile(client, key, day))
            assert from_csv == ("" if from_api is None else str(int(from_api))), (day, key)
            assert from_page == from_api, (day, key)
    # A stale figure says when it was published; a fresh one needs not.
    assert "as of 7 Mar" in _tile(client, "training", DAYS[9].isoformat())
    assert "data-published-on" not in _tile(client, "training", DAYS[10].isoformat())


# --- Hidden is hidden, zero included -----------------------------------------------------------


def test_no_answer_and_four_answers_look_the_same_everywhere(client, acme, build):
    build()
    rows = _api(client, api_key_headers(acme, Role.EXECUTIVE), FIRST, DAYS[4].isoformat())
    _executive(client, acme)
    exported = _csv(client, FIRST, DAYS[4].isoformat())

    assert {str(row["satisfaction"]) for row in rows} == {
        str({"value": None, "hidden": True, "published_on": None})
    }
    assert {row["satisfaction"] for row in exported} == {""}
    tiles = {_tile(client, "satisfaction", DAYS[k].isoformat()) for k in range(5)}
    assert len(tiles) == 1
    (tile,) = tiles
    assert "fewer than 5" in tile and "No data" not in tile


# --- A day written again, a range rebuilt ------------------------------------------------------


def test_a_range_rebuilt_shows_nothing_one_person_apart_from_what_was_shown_before(
    client, acme, build
):
    """An operator rebuilds the range every three days: the rebuild continues from the
    latest publication, so the figures of both versions, taken together, still never
    differ by fewer than five people."""
    build()
    headers = api_key_headers(acme, Role.EXECUTIVE)
    before = _api(client, headers)

    with tenant_context(organization=acme):
        services.snapshots_backfill(organization=acme, start=DAYS[0], end=DAYS[-1], every_days=3)
    after = _api(client, headers)

    for key in ("satisfaction", "training"):
        series = _series(before, key) + _series(after, key)
        published = {(value, on) for _k, value, on in series if value is not None}
        values = {}
        for value, on in published:
            k = DAYS.index(date.fromisoformat(on))
            assert value == _raw(key, k)
            values.setdefault(value, k)
        for (_a, early), (_b, late) in itertools.combinations(values.items(), 2):
            (size_a, count_a), (size_b, count_b) = _truth(key, early), _truth(key, late)
            assert abs(size_b - size_a) >= THRESHOLD or abs(count_b - count_a) >= THRESHOLD


def test_todays_figures_counted_twice_in_a_day_are_one_publication(client, acme, build):
    """A manager counts today's figures at noon; one more answer comes; the night counts
    the day again: the second count shows the first one's figure."""
    world = build()
    headers = api_key_headers(acme, Role.EXECUTIVE)
    day = DAYS[-1] + timedelta(days=1)
    with tenant_context(organization=acme):
        for _ in range(5):  # five more answers: satisfaction publishes at nineteen
            _answer(acme, world, 4)
        services.snapshot_write(organization=acme, day=day)
    noon_figure = _api(client, headers, LAST, day.isoformat())[-1]
    with tenant_context(organization=acme):
        _answer(acme, world, 1)
        services.snapshot_write(organization=acme, day=day)
    night_figure = _api(client, headers, LAST, day.isoformat())[-1]

    assert noon_figure["satisfaction"]["published_on"] == day.isoformat()
    assert night_figure["satisfaction"] == noon_figure["satisfaction"]


def _answer(acme, world, value: int) -> None:
    response = Response.objects.create(
        organization=acme, schedule=world["schedule"], cohort=world["cohort"], role="mentor",
        week="2026-W01",
    )  # fmt: skip
    Answer.objects.create(organization=acme, response=response, question=world["overall"],
                          value=value)  # fmt: skip


# --- Breakdown tables: who takes part, and how they self-identify ------------------------------


def _one_more_participant(acme, world, n: int, day: date) -> None:
    """A new Sales participant approved that day, self-identified (women and men in turn)."""
    employee = Employee.objects.create(
        organization=acme, employee_number=f"new{n}", name=f"Newcomer {n}",
        department=world["sales"], job_level=3, birth_year=1990,
    )  # fmt: skip
    Participant.objects.create(
        organization=acme, program=world["program"], cohort=world["cohort"], employee=employee,
        role="mentor", status=Participant.Status.APPROVED, invited_at=noon(day),
        applied_at=noon(day), decided_at=noon(day),
    )  # fmt: skip
    EmployeeDemographics.objects.create(
        organization=acme, employee=employee, consent_given_at=noon(day),
        gender="woman" if n % 2 == 0 else "man",
    )  # fmt: skip


def _breakdown_counts(board) -> dict[str, int | None]:
    counts = {}
    for breakdown in board.breakdowns:
        for group in breakdown.groups:
            counts[f"{breakdown.key}:{group.label}"] = None if group.hidden else group.count
    for dimension in board.inclusion:
        for row in dimension.rows:
            counts[f"inclusion:{row['label']}"] = row["participants"]
    return counts


def _boards(acme, world, days: int) -> list[dict]:
    found = []
    start = DAYS[-1] + timedelta(days=1)
    for n in range(days):
        day = start + timedelta(days=n)
        with tenant_context(organization=acme):
            _one_more_participant(acme, world, n, day)
            services.snapshot_write(organization=acme, day=day)
            board = selectors.dashboard_get(organization=acme, program=None, start=DAYS[0], end=day)
            found.append(_breakdown_counts(board))
    return found


def test_breakdown_tables_change_only_by_five_people_at_a_time(acme, build):
    """Sales grows by one participant a day, who says whether they are a woman or a man:
    neither the department's count nor a self-identified group's moves by one."""
    world = build()
    boards = _boards(acme, world, 12)

    for name in ("department:Sales", "inclusion:Woman", "inclusion:Man"):
        shown = [board.get(name) for board in boards]
        assert any(value is not None for value in shown), name
        distinct = [value for value in dict.fromkeys(shown) if value is not None]
        for one, other in itertools.pairwise(distinct):
            assert abs(other - one) >= THRESHOLD, (name, shown)


def test_the_breakdown_attack_works_when_every_change_is_published(acme, build, leaky):
    world = build()
    boards = _boards(acme, world, 12)

    women = [board.get("inclusion:Woman") for board in boards]
    steps = {b - a for a, b in itertools.pairwise(women) if a is not None and b is not None}
    assert 1 in steps  # the day a newcomer's answer shows: a woman


# --- The managers' digest ----------------------------------------------------------------------


def test_the_managers_digest_reads_the_published_figures(acme, build):
    """Week after week the digest tells the training figure as the dashboard does: the
    published one, not a count that moved by the one person who finished."""
    world = build()
    program = world["program"]
    lines = []
    for k in (6, 7, 8, 9, 10):
        now = noon(DAYS[k])
        with tenant_context(organization=acme):
            found = selectors._observations(program, now)
        lines.append([line for line in found if "finished training" in line])
    assert lines[:4] == [[f"Pilot: only {_raw('training', 5)}% of the participants have "
                          "finished training."]] * 4  # fmt: skip
    assert lines[4] == []  # published at ten: 71%, no longer behind
