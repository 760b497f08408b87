"""Properties of the matching engine on many small random problems (Hypothesis), and
examples of its explanations. Pure engine: nothing here touches the database.

Hard constraints are checked twice: with the engine's own ``evaluate_pairs`` and with a
plain-Python reading of each rule from the people's fields (``rule_breaks``), so that a
mistake shared by the solver and ``evaluate_pairs`` is still caught.
"""

import itertools
import os
from collections import Counter
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.matching_synthetic import synthetic_problem
from matching import engine
from matching.availability import DAYS, PARTS
from matching.engine import (
    COMPONENTS,
    CONSTRAINTS,
    MUTUAL,
    REVERSE,
    TRADITIONAL,
    Features,
    Person,
    Problem,
    Weights,
)
from matching.explain import PairExplainer, unplaced_reason

LANGUAGES = ("english", "german", "french")
DEPARTMENTS = ("", "Sales", "Engineering", "Finance")
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
LOCATIONS = ("", "London", "Berlin")
SLOTS = tuple(f"{day}-{part}" for day in DAYS for part in PARTS)
TOPICS = (1, 2, 3, 4)
NAMES = ("Ann Junior", "Bea Junior", "Dan Senior", "Eve Senior", "", "Zoë")
OUTSIDERS = (900, 901, 902)  # managers who are not in the program
WEIGHT_VALUES = (0.0, 0.5, 1.0, 3.0)

PROPERTY_SETTINGS = settings(
    # ENGINE_EXAMPLES=5000 for a longer search for bugs.
    max_examples=int(os.environ.get("ENGINE_EXAMPLES", "200")),
    deadline=None,
)


# --- The rules, read independently of the engine --------------------------------------


def rule_breaks(problem: Problem, mentor: Person, mentee: Person) -> dict[str, bool]:
    """Each hard constraint, from the people's fields: True where the pair breaks it."""
    if problem.direction == MUTUAL or mentor.level is None or mentee.level is None:
        direction = False
    elif problem.direction == REVERSE:
        direction = not mentor.level < mentee.level
    else:
        direction = not mentor.level > mentee.level
    return {
        "reporting_line": mentor.employee_id in mentee.managers
        or mentee.employee_id in mentor.managers,
        "language": not (mentor.languages & mentee.languages),
        "direction": direction,
        "ended_before": (mentor.id, mentee.id) in problem.ended,
    }


def rule_allowed(problem: Problem, mentor: Person, mentee: Person) -> bool:
    return not any(rule_breaks(problem, mentor, mentee).values())


def chains(manager_of: dict[int, int | None]) -> dict[int, frozenset[int]]:
    """Everyone's managers up the line, stopping at a loop (as the directory does)."""
    result = {}
    for employee in manager_of:
        seen, current = [], manager_of[employee]
        while current is not None and current not in seen and current != employee:
            seen.append(current)
            current = manager_of.get(current)
        result[employee] = frozenset(seen)
    return result


# --- Strategies -----------------------------------------------------------------------


# Built once: strategies made afresh inside every draw would cost most of the run time.
NAME = st.sampled_from(NAMES)
DEPARTMENT = st.sampled_from(DEPARTMENTS)
LEVEL = st.none() | st.integers(1, 6)
ZONE = st.sampled_from(ZONES)
AVAILABILITY = st.frozensets(st.sampled_from(SLOTS), max_size=4)
SPOKEN = st.frozensets(st.sampled_from(LANGUAGES), max_size=2)
TOPIC_LEVELS = st.dictionaries(st.sampled_from(TOPICS), st.integers(1, 5), max_size=3)
BIRTH_YEAR = st.none() | st.integers(1960, 2005)
LOCATION = st.sampled_from(LOCATIONS)
SOMEONE = st.integers(0, 63)  # an index into the problem's employee ids, wrapped around
SOME_PEOPLE = st.frozensets(SOMEONE, max_size=2)
MANAGER = st.none() | SOMEONE
SOME_PAIRS = st.frozensets(st.integers(0, 63), max_size=4)
WEIGHTS = st.just(Weights()) | st.builds(
    Weights, **{name: st.sampled_from(WEIGHT_VALUES) for name in COMPONENTS}
)
DIRECTION = st.sampled_from((REVERSE, MUTUAL, TRADITIONAL))


@st.composite
def problems(draw, max_mentors=7, max_mentees=8, max_capacity=3):
    n_mentors = draw(st.integers(0, max_mentors))
    n_mentees = draw(st.integers(0, max_mentees))
    count = n_mentors + n_mentees
    # Participant ids and employee ids from one range, so that a mix-up shows.
    ids = draw(st.lists(st.integers(1, 30), min_size=count, max_size=count, unique=True))
    employees = draw(st.lists(st.integers(1, 30), min_size=count, max_size=count, unique=True))
    everyone = [*employees, *OUTSIDERS]

    def others(own: int, picks) -> frozenset[int]:
        return frozenset(everyone[k % len(everyone)] for k in picks) - {own}

    manager_of = {}
    for e in everyone:  # a direct manager or none; chains() follows them up
        boss = draw(MANAGER)
        manager_of[e] = None if boss is None else everyone[boss % len(everyone)]
    managers = chains(manager_of)

    def person(k: int, capacity: int) -> Person:
        own = employees[k]
        return Person(
            id=ids[k],
            employee_id=own,
            name=draw(NAME),
            department=draw(DEPARTMENT),
            level=draw(LEVEL),
            managers=managers[own],
            time_zone=draw(ZONE),
            availability=draw(AVAILABILITY),
            languages=draw(SPOKEN),
            teaches=draw(TOPIC_LEVELS),
            learns=draw(TOPIC_LEVELS),
            capacity=capacity,
            birth_year=draw(BIRTH_YEAR),
            location=draw(LOCATION),
            asks_for=others(own, draw(SOME_PEOPLE)),
            avoids=others(own, draw(SOME_PEOPLE)),
        )

    mentors = tuple(person(k, draw(st.integers(1, max_capacity))) for k in range(n_mentors))
    mentees = tuple(person(k, 1) for k in range(n_mentors, count))
    weights = draw(WEIGHTS)
    all_pairs = [(a.id, b.id) for a in mentors for b in mentees]
    ended = frozenset(
        all_pairs[k % len(all_pairs)] for k in (draw(SOME_PAIRS) if all_pairs else ())
    )
    problem = Problem(
        mentors=mentors,
        mentees=mentees,
        direction=draw(DIRECTION),
        weights=weights,
        inclusion=draw(st.booleans()),
        ended=ended,
        topic_names={1: "Generative AI tools", 2: "Social media"},
    )
    # Locked pairs: allowed ones, at most one per mentee, within each mentor's places.
    room = {mentor.id: mentor.capacity for mentor in mentors}
    locked = []
    for mentee in draw(st.permutations(mentees)):
        options = [
            mentor
            for mentor in mentors
            if room[mentor.id] > 0 and rule_allowed(problem, mentor, mentee)
        ]
        if options and draw(st.integers(0, 3)) == 0:
            mentor = options[draw(SOMEONE) % len(options)]
            room[mentor.id] -= 1
            locked.append((mentor.id, mentee.id))
    return replace(problem, locked=tuple(locked))


# --- Helpers --------------------------------------------------------------------------


def pair_set(result) -> list[tuple[int, int]]:
    return [(p.mentor_id, p.mentee_id) for p in result.pairs]


def index_pairs(problem: Problem, pairs) -> tuple[list[int], list[int]]:
    mentee_at = {p.id: i for i, p in enumerate(problem.mentees)}
    mentor_at = {p.id: j for j, p in enumerate(problem.mentors)}
    return [mentee_at[b] for _a, b in pairs], [mentor_at[a] for a, _b in pairs]


def exact_total(problem: Problem, result) -> float:
    """The total of the result's pairs, unrounded (Pairing.score is rounded to 0.01)."""
    if not result.pairs:
        return 0.0
    rows, cols = index_pairs(problem, pair_set(result))
    scores, _components, _broken = engine.evaluate_pairs(Features(problem), rows, cols)
    return float(scores.sum())


def all_cells(f: Features):
    rows, cols = np.indices((f.n, f.m))
    return rows.ravel(), cols.ravel()


def brute_force_best(problem: Problem) -> float:
    """The best total over every assignment that keeps the locked pairs, gives each
    mentee at most one allowed mentor and each mentor at most their places."""
    f = Features(problem)
    if not (f.n and f.m):
        return 0.0
    rows, cols = all_cells(f)
    scores, _components, broken = engine.evaluate_pairs(f, rows, cols)
    scores = scores.reshape(f.n, f.m)
    allowed = ~np.any([broken[name] for name in CONSTRAINTS], axis=0).reshape(f.n, f.m)
    room = [p.capacity for p in problem.mentors]
    fixed_total, fixed_rows = 0.0, set()
    for mentor_id, mentee_id in problem.locked:
        i, j = f.mentee_index[mentee_id], f.mentor_index[mentor_id]
        room[j] -= 1
        fixed_rows.add(i)
        fixed_total += scores[i, j]
    free = [i for i in range(f.n) if i not in fixed_rows]
    options = [[None, *(j for j in range(f.m) if allowed[i, j])] for i in free]
    best = 0.0
    for choice in itertools.product(*options):
        used = Counter(j for j in choice if j is not None)
        if any(used[j] > room[j] for j in used):
            continue
        total = sum(scores[i, j] for i, j in zip(free, choice, strict=True) if j is not None)
        best = max(best, total)
    return fixed_total + best


# --- Properties -----------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(problems())
def test_solve_keeps_every_hard_constraint_capacity_and_locked_pair(problem):
    result = engine.solve(problem)
    pairs = pair_set(result)
    mentors = {p.id: p for p in problem.mentors}
    mentees = {p.id: p for p in problem.mentees}

    for mentor_id, mentee_id in pairs:
        broken = rule_breaks(problem, mentors[mentor_id], mentees[mentee_id])
        assert not any(broken.values()), (mentor_id, mentee_id, broken)
    if pairs:
        rows, cols = index_pairs(problem, pairs)
        _scores, _components, broken = engine.evaluate_pairs(Features(problem), rows, cols)
        assert set(broken) == set(CONSTRAINTS)
        for name, flags in broken.items():
            assert not flags.any(), (name, [pairs[k] for k in np.flatnonzero(flags)])

    per_mentor = Counter(mentor_id for mentor_id, _ in pairs)
    for mentor_id, used in per_mentor.items():
        assert used <= mentors[mentor_id].capacity
    per_mentee = Counter(mentee_id for _, mentee_id in pairs)
    assert all(used == 1 for used in per_mentee.values())

    assert set(problem.locked) <= set(pairs)
    for pairing in result.pairs:
        assert pairing.locked == ((pairing.mentor_id, pairing.mentee_id) in problem.locked)
        assert 0 <= pairing.score <= 100

    # Everyone without a pair is listed once, with a reason.
    unplaced = {(u.role, u.person_id): u.reason for u in result.unplaced}
    assert len(unplaced) == len(result.unplaced)
    expected = {("mentee", i) for i in mentees if i not in per_mentee} | {
        ("mentor", j) for j in mentors if j not in per_mentor
    }
    assert set(unplaced) == expected
    assert all(reason.strip() for reason in unplaced.values())


@PROPERTY_SETTINGS
@given(problems())
def test_solve_is_deterministic(problem):
    first, second = engine.solve(problem), engine.solve(problem)
    assert [(p.mentor_id, p.mentee_id, p.score, p.locked) for p in first.pairs] == [
        (p.mentor_id, p.mentee_id, p.score, p.locked) for p in second.pairs
    ]
    assert first.unplaced == second.unplaced


@PROPERTY_SETTINGS
@given(problems())
def test_optimum_is_never_below_greedy(problem):
    # Greedy knows nothing of locked pairs: compare on the problem without them.
    problem = replace(problem, locked=())
    optimum, baseline = engine.solve(problem), engine.greedy(problem)
    assert exact_total(problem, optimum) >= exact_total(problem, baseline) - 1e-3
    mentors = {p.id: p for p in problem.mentors}
    mentees = {p.id: p for p in problem.mentees}
    for mentor_id, mentee_id in pair_set(baseline):
        assert rule_allowed(problem, mentors[mentor_id], mentees[mentee_id])


@PROPERTY_SETTINGS
@given(problems(max_mentors=3, max_mentees=4, max_capacity=2))
def test_tiny_problems_reach_the_brute_force_optimum(problem):
    result = engine.solve(problem)
    assert abs(exact_total(problem, result) - brute_force_best(problem)) < 1e-3


@PROPERTY_SETTINGS
@given(problems())
def test_score_matrix_agrees_with_evaluate_pairs_on_every_cell(problem):
    f = Features(problem)
    total, allowed = engine.score_matrix(f)
    assert total.shape == allowed.shape == (f.n, f.m)
    if not (f.n and f.m):
        return
    rows, cols = all_cells(f)
    scores, components, broken = engine.evaluate_pairs(f, rows, cols)
    any_broken = np.any([broken[name] for name in CONSTRAINTS], axis=0)
    assert np.array_equal(allowed.ravel(), ~any_broken)
    np.testing.assert_allclose(total.ravel(), scores, atol=1e-3)
    assert ((scores >= -1e-6) & (scores <= 100 + 1e-3)).all()
    for values in components.values():
        assert ((values >= 0) & (values <= 1 + 1e-6)).all()
    # Each flag against the rule read from the people's fields.
    for k, (i, j) in enumerate(zip(rows, cols, strict=True)):
        expected = rule_breaks(problem, problem.mentors[j], problem.mentees[i])
        assert {name: bool(broken[name][k]) for name in CONSTRAINTS} == expected


def test_a_zero_score_pair_is_made_when_a_place_is_free():
    # Topic fit alone counts (a program may set the other weights to 0).
    weights = Weights(**{**dict.fromkeys(COMPONENTS, 0.0), "topic_fit": 5.0})
    english = frozenset({"english"})
    ann = Person(1, 10, "Ann Junior", level=2, teaches={1: 5}, capacity=2, languages=english)
    cy = Person(2, 20, "Cy Junior", level=9, teaches={1: 5}, languages=english)  # too senior
    dan = Person(3, 30, "Dan Senior", level=8, learns={1: 5}, languages=english)
    eve = Person(4, 40, "Eve Senior", level=8, learns={3: 4}, languages=english)  # no fit
    result = engine.solve(Problem(mentors=(cy, ann), mentees=(dan, eve), weights=weights))
    # Ann has two places and may take Eve (a pair scoring 0): Eve should have her.
    assert pair_set(result) == [(1, 3), (1, 4)]


# --- Synthetic companies --------------------------------------------------------------


def test_synthetic_problem_is_deterministic_and_its_constraints_bite():
    def fingerprint(problem):
        return [
            (p.id, p.employee_id, p.level, p.managers, p.languages, p.availability, p.capacity)
            for p in (*problem.mentors, *problem.mentees)
        ]

    problem = synthetic_problem(60, 30, 2, seed=3)
    assert fingerprint(problem) == fingerprint(synthetic_problem(60, 30, 2, seed=3))
    assert fingerprint(problem) != fingerprint(synthetic_problem(60, 30, 2, seed=4))
    assert len(problem.mentees) == 60 and len(problem.mentors) == 30
    assert {p.capacity for p in problem.mentors} == {2}

    f = Features(problem)
    for name, check in engine.CONSTRAINT_FUNCTIONS.items():
        if name != "ended_before":
            assert check(f).any(), f"{name} rules out no pair"
    result = engine.solve(problem)
    assert result.total_score >= engine.greedy(problem).total_score


# --- Explanations ---------------------------------------------------------------------


def person(id, employee_id, name, **fields):
    fields.setdefault("languages", frozenset({"english"}))
    return Person(id=id, employee_id=employee_id, name=name, **fields)


def reasons(result) -> dict[tuple[str, int], str]:
    return {(u.role, u.person_id): u.reason for u in result.unplaced}


def test_a_mentee_whose_only_mentor_is_in_their_reporting_line_is_told_so():
    dan = person(1, 100, "Dan Senior", level=8)
    ann = person(2, 200, "Ann Junior", level=2, managers=frozenset({100}))  # Dan manages Ann
    result = engine.solve(Problem(mentors=(ann,), mentees=(dan,)))
    assert result.pairs == []
    assert reasons(result) == {
        ("mentee", 1): "No eligible partner among 1: 1 is in their reporting line.",
        ("mentor", 2): "No eligible partner among 1: 1 is in their reporting line.",
    }


def test_every_constraint_that_rules_partners_out_is_counted():
    eve = person(1, 100, "Eve Senior", level=5, languages=frozenset({"german"}))
    mentors = (
        person(2, 200, "Ann", level=2, languages=frozenset({"french"})),
        person(3, 300, "Bea", level=2, languages=frozenset({"english"})),
        person(4, 400, "Cy", level=6, languages=frozenset({"german"})),
        person(5, 500, "Di", level=3, languages=frozenset({"german"}), managers=frozenset({100})),
        person(6, 600, "Ed", level=1, languages=frozenset({"german"})),
    )
    problem = Problem(mentors=mentors, mentees=(eve,), ended=frozenset({(6, 1)}))
    result = engine.solve(problem)
    assert result.pairs == []
    assert reasons(result)[("mentee", 1)] == (
        "No eligible partner among 5: 1 is in their reporting line, "
        "2 share no language with them, "
        "1 is at a level the program's direction rules out, "
        "1 was their partner before."
    )


def test_capacity_and_spare_places_are_explained():
    mentor = person(1, 100, "Ann Junior", level=2, teaches={1: 5})
    keen = person(2, 200, "Dan Senior", level=8, learns={1: 5})
    other = person(3, 300, "Eve Senior", level=8, learns={2: 5})
    result = engine.solve(Problem(mentors=(mentor,), mentees=(keen, other)))
    assert pair_set(result) == [(1, 2)]
    assert reasons(result) == {("mentee", 3): "Capacity: the 1 mentor who could take them is full."}

    spare = person(4, 400, "Bea Junior", level=3)
    result = engine.solve(Problem(mentors=(mentor, spare), mentees=(keen,)))
    assert pair_set(result) == [(1, 2)]
    assert reasons(result) == {
        ("mentor", 4): "More mentor places than mentees: the 1 mentee who fits them "
        "went to a better-scoring pair."
    }

    result = engine.solve(Problem(mentors=(), mentees=(keen,)))
    assert reasons(result) == {
        ("mentee", 2): "Nobody to pair with: the cohort has no approved mentors."
    }


def test_unplaced_reason_reads_the_allowed_matrix_it_is_given():
    mentor = person(1, 100, "Ann Junior", level=2)
    mentee = person(2, 200, "Dan Senior", level=8)
    f = Features(Problem(mentors=(mentor,), mentees=(mentee,)))
    _total, allowed = engine.score_matrix(f)
    assert unplaced_reason(f, allowed, "mentee", 0) == (
        "Capacity: the 1 mentor who could take them is full."
    )


def test_pair_explainer_names_the_strongest_reasons():
    priya = person(
        1,
        100,
        "Priya Shah",
        department="Engineering",
        level=2,
        teaches={1: 4, 2: 5},
        time_zone="Europe/Berlin",
        availability=frozenset({"tue-morning"}),
        languages=frozenset({"english", "german"}),
    )
    tom = person(
        2,
        200,
        "Tom Becker",
        department="Finance",
        level=7,
        learns={1: 5, 2: 2},
        time_zone="Europe/Berlin",
        availability=frozenset({"tue-morning", "wed-midday"}),
        languages=frozenset({"german", "english"}),
    )
    problem = Problem(mentors=(priya,), mentees=(tom,), topic_names={1: "Generative AI tools"})
    result = engine.solve(problem)
    (pairing,) = result.pairs
    assert PairExplainer(problem)(priya, tom, pairing.components) == (
        "Priya teaches Generative AI tools at 4 of 5, which Tom most wants to learn; "
        "different departments (Engineering and Finance); Tom is 5 levels more senior; "
        "both work in Europe/Berlin time and share 3 free hours a week; "
        "both speak English, German."
    )


def test_pair_explainer_uses_full_names_for_a_first_name_two_people_share():
    priya = person(1, 100, "Priya Shah", level=2, teaches={1: 4}, time_zone="UTC")
    tom = person(2, 200, "Tom Becker", level=7, learns={1: 5}, time_zone="UTC")
    other_tom = person(3, 300, "tom Ng", level=6, learns={1: 1}, time_zone="UTC")
    problem = Problem(mentors=(priya,), mentees=(tom, other_tom), topic_names={1: "AI"})

    explanation = PairExplainer(problem)(priya, tom, {})

    assert explanation.startswith("Priya teaches AI at 4 of 5, which Tom Becker most wants")
    assert "Tom Becker is 5 levels more senior" in explanation


def test_pair_explainer_in_a_mutual_program_across_time_zones():
    ana = person(
        1,
        100,
        "Ana",
        department="Sales",
        level=3,
        teaches={2: 3},
        learns={1: 4},
        time_zone="UTC",
        availability=frozenset({"mon-morning"}),
        asks_for=frozenset({200}),
    )
    ben = person(
        2,
        200,
        "Ben Okafor",
        department="Sales",
        level=4,
        teaches={1: 2},
        learns={2: 1, 3: 5},
        time_zone="Asia/Kolkata",
        availability=frozenset({"tue-afternoon"}),
    )
    problem = Problem(mentors=(ana,), mentees=(ben,), direction=MUTUAL)
    (pairing,) = engine.solve(problem).pairs
    assert pairing.components["preferences"] == 1.0
    assert PairExplainer(problem)(ana, ben, pairing.components) == (
        "Ana teaches a topic at 3 of 5, which Ben wants to learn; "
        "in return Ben teaches a topic; Ben is 1 level more senior; "
        "no free time in common yet: they will need to agree a time; "
        "one of them asked for the other."
    )


def test_conflicting_locks_keep_the_first_and_respect_capacity():
    english = frozenset({"english"})
    ann = Person(1, 10, "Ann Junior", level=2, teaches={1: 5}, capacity=1, languages=english)
    bea = Person(4, 40, "Bea Junior", level=2, teaches={1: 5}, capacity=1, languages=english)
    dan = Person(2, 20, "Dan Senior", level=8, learns={1: 5}, languages=english)
    eve = Person(3, 30, "Eve Senior", level=8, learns={1: 5}, languages=english)
    problem = Problem(
        mentors=(ann, bea), mentees=(dan, eve), locked=((1, 2), (1, 2), (4, 2), (1, 3))
    )

    result = engine.solve(problem)

    assert sorted((p.mentor_id, p.mentee_id, p.locked) for p in result.pairs) == [
        (1, 2, True),
        (4, 3, False),
    ]
    # The locks left out are reported, with why (the repeat of the first is no conflict).
    assert result.dropped_locks == [
        engine.DroppedLock(4, 2, "mentee_taken"),
        engine.DroppedLock(1, 3, "mentor_full"),
    ]


def test_locks_on_people_not_in_the_problem_are_reported():
    english = frozenset({"english"})
    ann = Person(1, 10, "Ann Junior", level=2, teaches={1: 5}, languages=english)
    dan = Person(2, 20, "Dan Senior", level=8, learns={1: 5}, languages=english)
    problem = Problem(mentors=(ann,), mentees=(dan,), locked=((9, 2), (1, 8)))

    result = engine.solve(problem)

    assert [(p.mentor_id, p.mentee_id, p.locked) for p in result.pairs] == [(1, 2, False)]
    assert result.dropped_locks == [
        engine.DroppedLock(9, 2, "mentor_unavailable"),
        engine.DroppedLock(1, 8, "mentee_unavailable"),
    ]
