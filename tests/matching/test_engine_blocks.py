"""The engine builds the solver's input a block of mentees at a time, reads levels, birth
years and sites from small tables and divides in place (issue 19). Here the result is
compared, bit for bit, with a straightforward reading of each rule over the whole
matrix, on small random companies with locked pairs, mentors of one to three places,
every program direction and blocks of several sizes: the same scores and the same cost
matrix, so the solver reaches the same optimum. Pure engine: no database.

Also here: a run's explanations, translated once per run, are in the language active
when the run explains them.
"""

import struct
from dataclasses import replace
from unittest import mock

import numpy as np
import pytest
from django.test import override_settings
from django.utils import translation

from benchmarks.matching_synthetic import synthetic_problem
from matching import engine
from matching.availability import HOURS_A_WEEK, week_vector
from matching.engine import MUTUAL, REVERSE, TRADITIONAL, Features, Person, Problem, Weights
from matching.explain import PairExplainer

# --- The straightforward reading ------------------------------------------------------


def _ratio(numerator, denominator):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), 0)


def _facts(problem: Problem, fact) -> np.ndarray:
    """(mentees x mentors) True where ``fact(mentee, mentor)`` holds, pair by pair."""
    return np.array(
        [[bool(fact(mentee, mentor)) for mentor in problem.mentors] for mentee in problem.mentees],
        dtype=bool,
    ).reshape(len(problem.mentees), len(problem.mentors))


def reference_scores(f: Features) -> tuple[np.ndarray, np.ndarray]:
    """Every component over the whole matrix at once, as the engine computed it before
    issue 19, with the sparse facts read from the people themselves."""
    problem = f.problem
    mentee_level, mentor_level = f.mentee_level[:, None], f.mentor_level[None, :]

    forward = _ratio(f.mentee_learns @ f.mentor_teaches.T, 5 * f.mentee_learns.sum(axis=1)[:, None])
    topic_fit = forward
    if problem.direction == MUTUAL:
        backward = _ratio(
            f.mentee_teaches @ f.mentor_learns.T, 5 * f.mentor_learns.sum(axis=1)[None, :]
        )
        topic_fit = (forward + backward) / 2
    left, right = f.mentee_department[:, None], f.mentor_department[None, :]
    cross = (left != right) & (left != f.no_department) & (right != f.no_department)
    gap = {
        REVERSE: mentee_level - mentor_level,
        TRADITIONAL: mentor_level - mentee_level,
        MUTUAL: np.abs(mentee_level - mentor_level),
    }[problem.direction]
    seniority = np.nan_to_num(np.clip(gap, 0, 5) / 5, nan=0.0)
    mentee_week, mentor_week = (
        np.array([week_vector(p.availability, p.time_zone) for p in people]).reshape(
            len(people), HOURS_A_WEEK
        )
        for people in (problem.mentees, problem.mentors)
    )
    smaller = np.minimum(mentee_week.sum(axis=1)[:, None], mentor_week.sum(axis=1)[None, :])
    availability = np.clip(_ratio(mentee_week @ mentor_week.T, smaller), 0, 1)
    asked = _facts(problem, lambda a, b: b.employee_id in a.asks_for or a.employee_id in b.asks_for)
    avoided = _facts(problem, lambda a, b: b.employee_id in a.avoids or a.employee_id in b.avoids)
    preferences = np.where(avoided, 0.0, np.where(asked, 1.0, 0.5))
    born = np.abs(f.mentee_born[:, None] - f.mentor_born[None, :])
    generations = np.nan_to_num(np.clip(born / 25, 0, 1), nan=0.0)
    left, right = f.mentee_location[:, None], f.mentor_location[None, :]
    sites = (left != right) & (left != f.no_location) & (right != f.no_location)
    inclusion = 0.7 * generations + 0.3 * sites
    components = {
        "topic_fit": topic_fit,
        "cross_department": cross,
        "seniority_gap": seniority,
        "availability": availability,
        "preferences": preferences,
        "inclusion": inclusion,
    }
    weights = problem.active_weights()
    scale = 100 / (sum(weights.values()) or 1)
    total = np.zeros((f.n, f.m), dtype=np.float32)
    for name, weight in weights.items():
        if weight:
            total += np.float32(weight * scale) * components[name].astype(np.float32)

    known = ~np.isnan(mentee_level) & ~np.isnan(mentor_level)
    direction = {
        REVERSE: known & (mentor_level >= mentee_level),
        TRADITIONAL: known & (mentor_level <= mentee_level),
        MUTUAL: np.zeros((f.n, f.m), dtype=bool),
    }[problem.direction]
    broken = (
        _facts(
            problem,
            lambda a, b: b.employee_id in a.managers or a.employee_id in b.managers,
        )
        | _facts(problem, lambda a, b: not (a.languages & b.languages))
        | direction
        | _facts(problem, lambda a, b: (b.id, a.id) in problem.ended)
    )
    return total, ~broken


def reference_cost(problem: Problem) -> np.ndarray:
    """The solver's cost as it was built before: the whole score matrix with forbidden
    pairs at 0, copied onto the free mentees and the mentors' free places, turned into a
    cost and reduced by its lines' minima."""
    total, allowed = reference_scores(Features(problem))
    mentor_at = {p.id: j for j, p in enumerate(problem.mentors)}
    mentee_at = {p.id: i for i, p in enumerate(problem.mentees)}
    room, placed = [p.capacity for p in problem.mentors], set()
    for mentor_id, mentee_id in dict.fromkeys(problem.locked):  # the first lock wins
        j, i = mentor_at.get(mentor_id), mentee_at.get(mentee_id)
        if j is not None and i is not None and i not in placed and room[j] > 0:
            placed.add(i)
            room[j] -= 1
    free_rows = [i for i in range(len(problem.mentees)) if i not in placed]
    slots = np.repeat(np.arange(len(problem.mentors)), room)
    gain = np.where(allowed, total, np.float32(0))[np.ix_(free_rows, slots)]
    cost = np.float64(gain.max()) - gain.astype(np.float64)
    if cost.shape[0] >= cost.shape[1]:
        cost -= cost.min(axis=0, keepdims=True)
    if cost.shape[0] <= cost.shape[1]:
        cost -= cost.min(axis=1, keepdims=True)
    return cost


def solver_input(problem: Problem) -> np.ndarray:
    """The cost matrix ``engine.solve`` hands to the solver."""
    handed = []
    solve = engine.linear_sum_assignment

    def capture(cost):
        handed.append(cost.copy())
        return solve(cost)

    with mock.patch.object(engine, "linear_sum_assignment", capture):
        engine.solve(problem)
    (cost,) = handed
    return cost


# --- Random small companies -----------------------------------------------------------


def company(seed: int, direction: str, mentees: int, mentors: int, capacity: int) -> Problem:
    """A synthetic company with every kind of fact present: locks (one on a mentee
    already locked, and more than one mentor's places), asks and avoidances both ways,
    unknown levels, birth years, departments and sites."""
    problem = synthetic_problem(mentees, mentors, capacity, seed=seed, direction=direction)
    rng = np.random.default_rng(seed)
    people = [*problem.mentees, *problem.mentors]
    picks = rng.permutation(len(people))
    for k in picks[:4]:
        people[k] = replace(people[k], level=None)
    for k in picks[4:8]:
        people[k] = replace(people[k], birth_year=None, location="")
    for k in picks[8:11]:
        people[k] = replace(people[k], department="")
    mentees_, mentors_ = people[:mentees], people[mentees:]
    mentees_[2], mentors_[3] = replace(mentees_[2], level=None), replace(mentors_[3], level=None)
    for _ in range(3):  # a mentee asks for a mentor, a mentor avoids a mentee
        i, j = int(rng.integers(mentees)), int(rng.integers(mentors))
        mentees_[i] = replace(mentees_[i], asks_for=frozenset({mentors_[j].employee_id}))
        i, j = int(rng.integers(mentees)), int(rng.integers(mentors))
        mentors_[j] = replace(mentors_[j], avoids=frozenset({mentees_[i].employee_id}))
    first = mentors_[0]
    locked = [
        (first.id, mentees_[k].id) for k in range(first.capacity + 1)
    ] + [  # the last is over capacity
        (mentors_[1].id, mentees_[0].id),  # mentee already locked
        (mentors_[2].id, mentees_[-1].id),
    ]
    weights = Weights(topic_fit=3.0, cross_department=0.5, preferences=2.0)
    return replace(
        problem,
        mentees=tuple(mentees_),
        mentors=tuple(mentors_),
        locked=tuple(locked),
        weights=weights,
    )


SHAPES = [(29, 29, 1), (31, 13, 2), (23, 9, 3), (12, 40, 1)]
DIRECTIONS = [REVERSE, MUTUAL, TRADITIONAL]


@pytest.mark.parametrize("block_cells", [1, 100, engine.BLOCK_CELLS])
@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_block_built_scores_and_cost_equal_the_straightforward_ones_bit_for_bit(
    monkeypatch, shape, direction, block_cells
):
    monkeypatch.setattr(engine, "BLOCK_CELLS", block_cells)  # 1: one mentee a block
    problem = company(sum(shape) + len(direction), direction, *shape)
    f = Features(problem)
    assert f.asked_cells.size and f.avoided_cells.size and np.isnan(f.mentee_level).any()
    assert np.isnan(f.mentor_born).any()

    total, allowed = engine.score_matrix(f)
    expected_total, expected_allowed = reference_scores(Features(problem))

    assert total.dtype == expected_total.dtype == np.float32
    assert np.array_equal(total, expected_total)
    assert np.array_equal(allowed, expected_allowed)
    assert allowed.any() and not allowed.all()
    cost = solver_input(problem)
    assert np.array_equal(cost, reference_cost(problem))


def test_the_same_problem_solved_gives_the_same_pairs_whatever_the_block_size(monkeypatch):
    problem = company(7, REVERSE, 31, 13, 2)
    results = []
    for block_cells in (1, 50, engine.BLOCK_CELLS):
        monkeypatch.setattr(engine, "BLOCK_CELLS", block_cells)
        result = engine.solve(problem)
        results.append(
            (
                [(p.mentor_id, p.mentee_id, p.score, p.locked) for p in result.pairs],
                result.unplaced,
                result.dropped_locks,
            )
        )
    assert results[0] == results[1] == results[2]
    assert [lock.reason for lock in results[0][2]] == ["mentor_full", "mentee_taken"]


# --- Explanations in the active language ---------------------------------------------

FRENCH = {
    "%(mentor)s teaches %(topic)s at %(level)s of 5, which %(mentee)s most wants to learn": (
        "%(mentor)s enseigne %(topic)s au niveau %(level)s sur 5, ce que %(mentee)s veut "
        "le plus apprendre"
    ),
    ("%(name)s is %(n)s level more senior", "%(name)s is %(n)s levels more senior"): (
        "%(name)s a %(n)s niveau de plus",
        "%(name)s a %(n)s niveaux de plus",
    ),
    (
        "%(n)s free hour a week in common across time zones",
        "%(n)s free hours a week in common across time zones",
    ): (
        "%(n)s heure libre en commun par semaine",
        "%(n)s heures libres en commun par semaine",
    ),
}


def write_catalog(path, messages: dict) -> None:
    """A gettext .mo file (French plural rule): ``messages`` maps a text to its
    translation, or (singular, plural) to (one, many)."""
    entries = {"": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; "}
    entries[""] += "plural=(n > 1);\n"
    for source, target in messages.items():
        key = "\0".join(source) if isinstance(source, tuple) else source
        entries[key] = "\0".join(target) if isinstance(target, tuple) else target
    keys = sorted(entries)
    sources = [k.encode() for k in keys]
    targets = [entries[k].encode() for k in keys]
    count = len(keys)
    start = 7 * 4 + 16 * count
    table, data = [], b""
    for text in (*sources, *targets):
        table.append((len(text), start + len(data)))
        data += text + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, 28, 28 + 8 * count, 0, 0)
    path.parent.mkdir(parents=True)
    path.write_bytes(header + b"".join(struct.pack("<2I", *entry) for entry in table) + data)


def test_a_run_explains_its_pairs_in_the_language_active_when_it_runs(tmp_path):
    write_catalog(tmp_path / "fr" / "LC_MESSAGES" / "django.mo", FRENCH)
    english = frozenset({"english"})
    # Tom's free hours are 12:00 to 17:00 UTC on Tuesday (London keeps UTC in March):
    # Priya in Berlin shares one of them with him, Ana two.
    tom = Person(
        3,
        30,
        "Tom Becker",
        level=6,
        learns={1: 5},
        languages=english,
        time_zone="Europe/London",
        availability=frozenset({"tue-midday", "tue-afternoon"}),
    )
    priya = Person(
        1,
        10,
        "Priya Shah",
        level=3,
        teaches={1: 4},
        languages=english,
        time_zone="Europe/Berlin",
        availability=frozenset({"tue-midday"}),
    )
    ana = Person(
        2,
        20,
        "Ana Lima",
        level=5,
        teaches={1: 2},
        languages=english,
        availability=frozenset({"tue-midday"}),
    )
    problem = Problem(mentors=(priya, ana), mentees=(tom,), topic_names={1: "l'IA"})

    with override_settings(LOCALE_PATHS=[tmp_path], LANGUAGES=[("en", "English"), ("fr", "Fr")]):
        with translation.override("fr"):
            in_french = PairExplainer(problem)
        in_english = PairExplainer(problem)  # made after the French one
        with translation.override("fr"):
            english_text = in_english(priya, tom, {})
        french = [in_french(priya, tom, {}), in_french(ana, tom, {})]

    # Each run speaks the language it was made in: the French one's translations were
    # not kept for the English one, nor the other way round.
    assert english_text == (
        "Priya teaches l'IA at 4 of 5, which Tom most wants to learn; "
        "Tom is 3 levels more senior; 1 free hour a week in common across time zones."
    )

    assert french[0] == (
        "Priya enseigne l'IA au niveau 4 sur 5, ce que Tom veut le plus apprendre; "
        "Tom a 3 niveaux de plus; 1 heure libre en commun par semaine."
    )
    # Plural forms follow each number: French says 1 but 3 niveaux, 2 heures libres.
    assert french[1] == (
        "Ana enseigne l'IA au niveau 2 sur 5, ce que Tom veut le plus apprendre; "
        "Tom a 1 niveau de plus; 2 heures libres en commun par semaine."
    )
