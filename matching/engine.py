"""The matching engine: plain functions and data, no web code.

Every mentee and mentor pair gets a score from 0 to 100: a weighted mean of components,
each from 0 to 1 (``COMPONENTS``). Hard constraints (``CONSTRAINTS``) rule pairs out
entirely. The assignment then maximises the total score of the pairs it makes, within
each mentor's capacity, with locked pairs kept: a true optimum from SciPy's linear sum
assignment (the Hungarian method's modern form), with every mentor repeated once per
free place. Forbidden pairs go into the solver with a score of 0 and are dropped from its
answer, which loses nothing: every allowed pair scores at least 0, so the best full
assignment, less its forbidden pairs, is the best set of allowed pairs. The same input
gives the same result.

Arrays are (mentees x mentors): row i is ``problem.mentees[i]``, column j
``problem.mentors[j]``. Each component and constraint is written once, for two shapes:
a block of mentees against every mentor (``rows`` a slice, None for every mentee;
``cols`` None) or a list of pairs (index arrays of one length), so the solver and the
explanation of a single pair cannot disagree. The solver's input is built a block at a
time (``score_blocks``), so that at 5,000 x 5,000 building it costs a small part of
solving it, in time and in memory.
"""

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from matching.availability import HOURS_A_WEEK, week_vector
from programs.match_weights import COMPONENTS, Weights

REVERSE, MUTUAL, TRADITIONAL = "reverse", "mutual", "traditional"
CONSTRAINTS = ("reporting_line", "language", "direction", "ended_before")


@dataclass(frozen=True, eq=False)
class Person:
    """One participant as matching sees them."""

    id: int  # the participant's id
    employee_id: int
    name: str
    department: str = ""
    level: int | None = None
    managers: frozenset[int] = frozenset()  # employee ids up the reporting line
    time_zone: str = "UTC"
    availability: frozenset[str] = frozenset()  # slots like "tue-morning", local time
    languages: frozenset[str] = frozenset()  # lower case
    teaches: Mapping[int, int] = field(default_factory=dict)  # topic id -> level 1..5
    learns: Mapping[int, int] = field(default_factory=dict)  # topic id -> wish 1..5
    capacity: int = 1
    birth_year: int | None = None
    location: str = ""
    asks_for: frozenset[int] = frozenset()  # employee ids they would like
    avoids: frozenset[int] = frozenset()  # employee ids they would rather not have


@dataclass(frozen=True)
class Problem:
    mentors: tuple[Person, ...]
    mentees: tuple[Person, ...]
    direction: str = REVERSE
    weights: Weights = Weights()
    inclusion: bool = False  # the program aims at inclusion or bridging generations
    ended: frozenset[tuple[int, int]] = frozenset()  # (mentor id, mentee id) that ended
    locked: tuple[tuple[int, int], ...] = ()  # (mentor id, mentee id) that must stay
    topic_names: Mapping[int, str] = field(default_factory=dict)

    def active_weights(self) -> dict[str, float]:
        weights = self.weights.as_dict()
        if not self.inclusion:
            weights["inclusion"] = 0.0
        return weights


@dataclass(frozen=True)
class Pairing:
    mentor_id: int
    mentee_id: int
    score: float
    components: dict[str, float]
    locked: bool = False


@dataclass(frozen=True)
class Unplaced:
    person_id: int
    role: str  # "mentor" or "mentee"
    reason: str


@dataclass(frozen=True)
class DroppedLock:
    """A locked pair the engine could not keep, and why: ``mentor_unavailable`` or
    ``mentee_unavailable`` (not among the people to match now), ``mentee_taken`` (an
    earlier lock already places the mentee) or ``mentor_full`` (earlier locks fill the
    mentor's places)."""

    mentor_id: int
    mentee_id: int
    reason: str


@dataclass
class Result:
    pairs: list[Pairing]
    unplaced: list[Unplaced]
    dropped_locks: list[DroppedLock] = field(default_factory=list)

    @property
    def total_score(self) -> float:
        return round(sum(p.score for p in self.pairs), 4)


class Features:
    """The problem as arrays, built once."""

    def __init__(self, problem: Problem):
        self.problem = problem
        mentors, mentees = problem.mentors, problem.mentees
        self.n, self.m = len(mentees), len(mentors)
        topics = sorted({t for p in (*mentors, *mentees) for t in (*p.teaches, *p.learns)})
        column = {t: k for k, t in enumerate(topics)}
        self.topics = topics

        def levels(people, attribute):
            matrix = np.zeros((len(people), len(topics)), dtype=np.float32)
            for i, person in enumerate(people):
                for topic, level in getattr(person, attribute).items():
                    matrix[i, column[topic]] = level
            return matrix

        self.mentee_learns, self.mentor_teaches = (
            levels(mentees, "learns"),
            levels(mentors, "teaches"),
        )
        self.mentee_teaches, self.mentor_learns = (
            levels(mentees, "teaches"),
            levels(mentors, "learns"),
        )
        # What the ratios divide by, summed once rather than once per block.
        self.mentee_wishes = self.mentee_learns.sum(axis=1)
        self.mentor_wishes = self.mentor_learns.sum(axis=1)

        departments = {
            d: k for k, d in enumerate(sorted({p.department for p in (*mentors, *mentees)}))
        }
        self.mentee_department = np.array(
            [departments[p.department] for p in mentees], dtype=np.int32
        )
        self.mentor_department = np.array(
            [departments[p.department] for p in mentors], dtype=np.int32
        )
        self.no_department = departments.get("", -1)

        def numbers(people, attribute):
            values = [getattr(p, attribute) for p in people]
            return np.array([np.nan if v is None else v for v in values], dtype=np.float32)

        self.mentee_level, self.mentor_level = numbers(mentees, "level"), numbers(mentors, "level")
        self.mentee_born, self.mentor_born = (
            numbers(mentees, "birth_year"),
            numbers(mentors, "birth_year"),
        )

        def week(people):
            matrix = np.zeros((len(people), HOURS_A_WEEK), dtype=np.float32)
            for i, person in enumerate(people):
                matrix[i] = week_vector(person.availability, person.time_zone)
            return matrix

        mentee_week, mentor_week = week(mentees), week(mentors)
        self.mentee_hours, self.mentor_hours = mentee_week.sum(axis=1), mentor_week.sum(axis=1)
        # Only an hour that someone on each side keeps free can be shared: the hours in
        # common are counted over those alone (about half the week's 168).
        both = mentee_week.any(axis=0) & mentor_week.any(axis=0)
        self.mentee_week, self.mentor_week = mentee_week[:, both], mentor_week[:, both]

        languages = {
            x: k
            for k, x in enumerate(sorted({x for p in (*mentors, *mentees) for x in p.languages}))
        }

        def spoken(people):
            matrix = np.zeros((len(people), max(len(languages), 1)), dtype=np.float32)
            for i, person in enumerate(people):
                for language in person.languages:
                    matrix[i, languages[language]] = 1.0
            return matrix

        self.mentee_languages, self.mentor_languages = spoken(mentees), spoken(mentors)

        locations = {x: k for k, x in enumerate(sorted({p.location for p in (*mentors, *mentees)}))}
        self.mentee_location = np.array([locations[p.location] for p in mentees], dtype=np.int32)
        self.mentor_location = np.array([locations[p.location] for p in mentors], dtype=np.int32)
        self.no_location = locations.get("", -1)

        # Levels, birth years and sites take few values: the components read from them
        # are worked out once per pair of values and read from that table (``_by_value``).
        self.level_codes = _distinct(self.mentee_level, self.mentor_level)
        (births,), mentee_born, mentor_born = _distinct(self.mentee_born, self.mentor_born)
        sites = max(len(locations), 1)
        (keys,), mentee_key, mentor_key = _distinct(
            mentee_born * sites + self.mentee_location, mentor_born * sites + self.mentor_location
        )
        self.inclusion_codes = ((births[keys // sites], keys % sites), mentee_key, mentor_key)
        self.tables: dict = {}  # formula -> its table, made on first use

        # Sparse facts as (row, col) index lists.
        mentor_by_employee = {p.employee_id: j for j, p in enumerate(mentors)}
        mentee_by_employee = {p.employee_id: i for i, p in enumerate(mentees)}
        mentor_index = {p.id: j for j, p in enumerate(mentors)}
        mentee_index = {p.id: i for i, p in enumerate(mentees)}
        self.mentor_index, self.mentee_index = mentor_index, mentee_index

        def cells(pairs):
            pairs = sorted(set(pairs))
            return np.array([i * max(self.m, 1) + j for i, j in pairs], dtype=np.int64)

        self.reporting_cells = cells(
            [
                (i, mentor_by_employee[e])
                for i, p in enumerate(mentees)
                for e in p.managers
                if e in mentor_by_employee
            ]
            + [
                (mentee_by_employee[e], j)
                for j, p in enumerate(mentors)
                for e in p.managers
                if e in mentee_by_employee
            ]
        )
        self.ended_cells = cells(
            [
                (mentee_index[b], mentor_index[a])
                for a, b in problem.ended
                if a in mentor_index and b in mentee_index
            ]
        )
        self.asked_cells = cells(
            [
                (i, mentor_by_employee[e])
                for i, p in enumerate(mentees)
                for e in p.asks_for
                if e in mentor_by_employee
            ]
            + [
                (mentee_by_employee[e], j)
                for j, p in enumerate(mentors)
                for e in p.asks_for
                if e in mentee_by_employee
            ]
        )
        self.avoided_cells = cells(
            [
                (i, mentor_by_employee[e])
                for i, p in enumerate(mentees)
                for e in p.avoids
                if e in mentor_by_employee
            ]
            + [
                (mentee_by_employee[e], j)
                for j, p in enumerate(mentors)
                for e in p.avoids
                if e in mentee_by_employee
            ]
        )


def _distinct(left, right):
    """((the distinct values of two arrays,), each entry of ``left``'s index among them,
    each of ``right``'s); NaN counts once."""
    values, codes = np.unique(np.concatenate([left, right]), return_inverse=True)
    return (values,), codes[: len(left)], codes[len(left) :]


# --- Shapes: a block of all pairs, or a list of pairs ---------------------------------


def _rows(rows):
    return slice(None) if rows is None else rows


def _left(values, rows, cols):
    """One value per mentee, shaped for the pairs: a column for a block, else per pair."""
    return values[_rows(rows)][:, None] if cols is None else values[rows]


def _right(values, cols):
    """One value per mentor, shaped for the pairs: a row for a block, else per pair."""
    return values[None, :] if cols is None else values[cols]


def _pair(left, right, rows, cols):
    """``left`` (per mentee) against ``right`` (per mentor), shaped for the pairs."""
    return _left(left, rows, cols), _right(right, cols)


def _dot(left, right, rows, cols):
    if cols is None:
        return left[_rows(rows)] @ right.T
    return np.einsum("ij,ij->i", left[rows], right[cols])


def _by_value(f: Features, formula, rows, cols, mentee, mentor, distinct):
    """``formula(f, *mentee values, *mentor values)`` for the pairs. ``mentee`` and
    ``mentor`` are tuples of per-person arrays that take few distinct values between them
    (``distinct``: the distinct values, each mentee's and each mentor's index among
    them). A block reads the formula from a table worked out once per pair of distinct
    values, instead of working it out over the whole block: the same numbers, computed a
    few hundred times rather than n x m times."""
    if cols is not None:
        return formula(f, *(x[rows] for x in mentee), *(x[cols] for x in mentor))
    values, mentee_codes, mentor_codes = distinct
    table = f.tables.get(formula)
    if table is None:
        table = formula(f, *(x[:, None] for x in values), *(x[None, :] for x in values))
        if table.dtype.kind == "f":
            table = table.astype(np.float32)  # blocks are float32, as score_blocks adds them
        f.tables[formula] = table
    return np.take(table[mentee_codes[_rows(rows)]], mentor_codes, axis=1)


def _by_level(f: Features, formula, rows, cols):
    return _by_value(f, formula, rows, cols, (f.mentee_level,), (f.mentor_level,), f.level_codes)


def _in_cells(f: Features, cells, rows, cols):
    if cols is None:
        start, stop, _step = _rows(rows).indices(f.n)
        width = max(f.m, 1)
        mask = np.zeros((stop - start) * f.m, dtype=bool)
        first, last = np.searchsorted(cells, (start * width, stop * width))
        mask[cells[first:last] - start * width] = True
        return mask.reshape(stop - start, f.m)
    return np.isin(np.asarray(rows, dtype=np.int64) * max(f.m, 1) + np.asarray(cols), cells)


def _ratio(numerator, denominator):
    """``numerator / denominator`` where the denominator is positive, else 0. In place:
    the numerator is always a new array, and most denominators are a block's column or
    row, so a block needs no other array of its size."""
    positive = denominator > 0
    np.divide(numerator, np.where(positive, denominator, 1), out=numerator)
    np.copyto(numerator, 0, where=~positive)
    return numerator


# --- Components, each from 0 to 1 ---------------------------------------------------


def topic_fit(f: Features, rows=None, cols=None):
    """What the mentor teaches, at what level, against what the mentee wants to learn
    and how much: the wish-weighted mean of the mentor's level over 5. In a mutual
    program, the mean of both directions."""
    forward = _ratio(
        _dot(f.mentee_learns, f.mentor_teaches, rows, cols),
        5 * _left(f.mentee_wishes, rows, cols),
    )
    if f.problem.direction != MUTUAL:
        return forward
    backward = _ratio(
        _dot(f.mentee_teaches, f.mentor_learns, rows, cols),
        5 * _right(f.mentor_wishes, cols),
    )
    forward += backward
    forward /= 2
    return forward


def cross_department(f: Features, rows=None, cols=None):
    left, right = _pair(f.mentee_department, f.mentor_department, rows, cols)
    return ((left != right) & (left != f.no_department) & (right != f.no_department)).astype(
        np.float32
    )


def _gap(f: Features, mentee, mentor):
    if f.problem.direction == REVERSE:
        gap = mentee - mentor
    elif f.problem.direction == TRADITIONAL:
        gap = mentor - mentee
    else:
        gap = np.abs(mentee - mentor)
    return np.nan_to_num(np.clip(gap, 0, 5) / 5, nan=0.0)


def seniority_gap(f: Features, rows=None, cols=None):
    """Levels between them in the program's direction, up to 5 counting fully."""
    return _by_level(f, _gap, rows, cols)


def availability(f: Features, rows=None, cols=None):
    """Shared hours of the week (on the UTC clock) over the smaller of the two offers."""
    shared = _dot(f.mentee_week, f.mentor_week, rows, cols)
    smaller = np.minimum(_left(f.mentee_hours, rows, cols), _right(f.mentor_hours, cols))
    return np.clip(_ratio(shared, smaller), 0, 1, out=shared)


def preferences(f: Features, rows=None, cols=None):
    """1 when either asked for the other, 0 when either would rather not, else 0.5."""
    asked = _in_cells(f, f.asked_cells, rows, cols)
    avoided = _in_cells(f, f.avoided_cells, rows, cols)
    values = np.full(asked.shape, 0.5, dtype=np.float32)
    values[asked] = 1.0
    values[avoided] = 0.0
    return values


def _bridges(f: Features, mentee_born, mentee_location, mentor_born, mentor_location):
    generations = np.nan_to_num(np.clip(np.abs(mentee_born - mentor_born) / 25, 0, 1), nan=0.0)
    sites = (
        (mentee_location != mentor_location)
        & (mentee_location != f.no_location)
        & (mentor_location != f.no_location)
    )
    return 0.7 * generations + 0.3 * sites


def inclusion(f: Features, rows=None, cols=None):
    """Bridging generations (birth years apart, 25 years counting fully) and sites."""
    return _by_value(
        f,
        _bridges,
        rows,
        cols,
        (f.mentee_born, f.mentee_location),
        (f.mentor_born, f.mentor_location),
        f.inclusion_codes,
    )


COMPONENT_FUNCTIONS = {
    "topic_fit": topic_fit,
    "cross_department": cross_department,
    "seniority_gap": seniority_gap,
    "availability": availability,
    "preferences": preferences,
    "inclusion": inclusion,
}


# --- Hard constraints: True where the pair is ruled out -----------------------------


def breaks_reporting_line(f: Features, rows=None, cols=None):
    """One manages the other, directly or further up."""
    return _in_cells(f, f.reporting_cells, rows, cols)


def breaks_language(f: Features, rows=None, cols=None):
    return _dot(f.mentee_languages, f.mentor_languages, rows, cols) < 0.5


def _against_direction(f: Features, mentee, mentor):
    known = ~np.isnan(mentee) & ~np.isnan(mentor)
    if f.problem.direction == REVERSE:
        return known & (mentor >= mentee)
    if f.problem.direction == TRADITIONAL:
        return known & (mentor <= mentee)
    return np.zeros(np.broadcast(mentee, mentor).shape, dtype=bool)


def breaks_direction(f: Features, rows=None, cols=None):
    """Reverse: the mentor must be more junior; traditional: more senior."""
    return _by_level(f, _against_direction, rows, cols)


def breaks_ended_before(f: Features, rows=None, cols=None):
    """The two were paired in this program before, and that pair ended."""
    return _in_cells(f, f.ended_cells, rows, cols)


CONSTRAINT_FUNCTIONS = {
    "reporting_line": breaks_reporting_line,
    "language": breaks_language,
    "direction": breaks_direction,
    "ended_before": breaks_ended_before,
}

# Pairs scored at once: a block's arrays (a few of 1 MB) stay in the processor's cache,
# and the scores of every pair are never all held at once unless asked for.
BLOCK_CELLS = 1 << 18


def score_blocks(f: Features):
    """(rows, scores 0..100, allowed) for consecutive blocks of mentees (``rows``, a
    slice) against every mentor, each component added in place in turn."""
    weights = f.problem.active_weights()
    scale = 100 / (sum(weights.values()) or 1)
    factors = [
        (COMPONENT_FUNCTIONS[name], np.float32(weight * scale))
        for name, weight in weights.items()
        if weight
    ]
    step = max(1, BLOCK_CELLS // max(f.m, 1))
    # A block's matrix products are small: BLAS's extra threads would only wait for work
    # (spinning, on a busy machine, on processor time that others need). The limit holds
    # while the caller handles a block too, which does no linear algebra.
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, f.n, step):
            rows = slice(start, min(start + step, f.n))
            total = np.zeros((rows.stop - start, f.m), dtype=np.float32)
            for component, factor in factors:
                values = np.asarray(component(f, rows), dtype=np.float32)  # a new array
                values *= factor
                total += values
            allowed = np.ones(total.shape, dtype=bool)
            for check in CONSTRAINT_FUNCTIONS.values():
                allowed &= ~check(f, rows)
            yield rows, total, allowed


def score_matrix(f: Features) -> tuple[np.ndarray, np.ndarray]:
    """(scores 0..100, allowed) for every pair."""
    total = np.empty((f.n, f.m), dtype=np.float32)
    allowed = np.empty((f.n, f.m), dtype=bool)
    for rows, scores, ok in score_blocks(f):
        total[rows], allowed[rows] = scores, ok
    return total, allowed


def evaluate_pairs(f: Features, rows, cols) -> tuple[np.ndarray, dict, dict]:
    """For a list of pairs: scores, components by name, and broken constraints by name."""
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    weights = f.problem.active_weights()
    scale = 100 / (sum(weights.values()) or 1)
    components = {
        name: np.asarray(fn(f, rows, cols), dtype=np.float64)
        for name, fn in COMPONENT_FUNCTIONS.items()
    }
    scores = sum(weights[name] * scale * components[name] for name in COMPONENTS)
    broken = {
        name: np.asarray(fn(f, rows, cols), dtype=bool) for name, fn in CONSTRAINT_FUNCTIONS.items()
    }
    return np.asarray(scores, dtype=np.float64), components, broken


# --- Solving --------------------------------------------------------------------------


def _usable_locks(f: Features, problem: Problem) -> tuple[list[tuple[int, int]], list[DroppedLock]]:
    """Locked pairs as (column, row), each mentee once and no mentor beyond capacity;
    the first lock wins. The locks left out come back too, with the reason, for the
    program manager to hear of."""
    room = {j: p.capacity for j, p in enumerate(problem.mentors)}
    rows, locks, dropped = set(), [], []
    for a, b in dict.fromkeys(problem.locked):
        j, i = f.mentor_index.get(a), f.mentee_index.get(b)
        if j is None:
            reason = "mentor_unavailable"
        elif i is None:
            reason = "mentee_unavailable"
        elif i in rows:
            reason = "mentee_taken"
        elif room[j] <= 0:
            reason = "mentor_full"
        else:
            rows.add(i)
            room[j] -= 1
            locks.append((j, i))
            continue
        dropped.append(DroppedLock(a, b, reason))
    return locks, dropped


def linear_sum_assignment(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SciPy's solver, imported on the first solve rather than with this module: SciPy
    takes seconds to load, and the web process imports this module (the participants'
    pages) without ever solving."""
    from scipy.optimize import linear_sum_assignment as solver

    return solver(cost)


def solve(problem: Problem) -> Result:
    f = Features(problem)
    locked, dropped = _usable_locks(f, problem)
    capacity = np.array([p.capacity for p in problem.mentors], dtype=np.int64)
    for j, _i in locked:
        capacity[j] -= 1
    locked_rows = {i for _j, i in locked}
    free_rows = np.array([i for i in range(f.n) if i not in locked_rows], dtype=np.int64)
    slots = np.repeat(np.arange(f.m), np.maximum(capacity, 0))

    chosen = [(i, j, True) for j, i in locked]
    allowed = np.zeros((f.n, f.m), dtype=bool)
    if f.n and f.m:
        cost, allowed = _assignment_cost(f, free_rows, slots)
        if cost is not None:
            row_index, slot_index = linear_sum_assignment(cost)
            del cost
            for r, s in zip(row_index, slot_index, strict=True):
                i, j = int(free_rows[r]), int(slots[s])
                if allowed[i, j]:
                    chosen.append((i, j, False))
        # An allowed pair scoring 0 ties with a forbidden cell (also 0 to the solver),
        # which may have been taken instead. Such pairs add nothing to the total; make
        # them wherever a place is left, so nobody is left out while a place is free.
        used = np.bincount([c[1] for c in chosen], minlength=f.m) if chosen else 0
        room = np.array([p.capacity for p in problem.mentors], dtype=np.int64) - used
        placed = {c[0] for c in chosen}
        for i in range(f.n):
            if i not in placed:
                options = np.flatnonzero(allowed[i] & (room > 0))
                if len(options):
                    chosen.append((i, int(options[0]), False))
                    room[options[0]] -= 1
    result = _result(f, chosen, allowed)
    result.dropped_locks = dropped
    return result


def _assignment_cost(f: Features, free_rows, slots) -> tuple[np.ndarray | None, np.ndarray]:
    """The solver's cost matrix (the free mentees by the mentors' free places, None if
    either is empty) and whether each pair is allowed (every mentee by every mentor).

    A forbidden pair scores 0 to the solver, which then minimises a non-negative cost:
    the best score less each pair's. Subtracting a constant from every cell of a line
    that is always assigned moves every assignment's total alike, and gives the solver a
    far better start (5,000 x 5,000: about twice as fast). The scores are made a block of
    mentees at a time and go straight into the cost, so the largest array held is the
    one the solver needs; the cost is, bit for bit, ``best - np.where(allowed, scores,
    0)[np.ix_(free_rows, slots)]`` reduced by its lines' minima."""
    allowed = np.empty((f.n, f.m), dtype=bool)
    if not (len(free_rows) and len(slots)):
        for rows, _scores, ok in score_blocks(f):
            allowed[rows] = ok
        return None, allowed
    cost = np.empty((len(free_rows), len(slots)), dtype=np.float64)
    every_row = len(free_rows) == f.n  # nothing locked
    one_place_each = np.array_equal(slots, np.arange(f.m))
    column_best = np.full(len(slots), -np.inf, dtype=np.float32)
    for rows, scores, ok in score_blocks(f):
        allowed[rows] = ok
        np.copyto(scores, 0, where=~ok)
        first, last = np.searchsorted(free_rows, (rows.start, rows.stop))
        if first == last:
            continue
        if not every_row:
            scores = scores[free_rows[first:last] - rows.start]
        if not one_place_each:
            scores = scores[:, slots]
        cost[first:last] = scores
        np.maximum(column_best, scores.max(axis=0), out=column_best)
    # Now the cost, in chunks that stay in the cache rather than in passes over the whole.
    # Rounding best - score never grows with the score, so a column's least cost is its
    # best score's.
    best = np.float64(column_best.max())
    column_least = best - column_best.astype(np.float64)
    step = max(1, BLOCK_CELLS // cost.shape[1])
    for start in range(0, cost.shape[0], step):
        chunk = cost[start : start + step]
        np.subtract(best, chunk, out=chunk)
        if cost.shape[0] >= cost.shape[1]:
            chunk -= column_least  # every place is filled
        if cost.shape[0] <= cost.shape[1]:
            chunk -= chunk.min(axis=1, keepdims=True)  # every mentee is placed
    return cost, allowed


def greedy(problem: Problem) -> Result:
    """The baseline the optimum is measured against: best pairs first, while there is
    room (locked pairs are not its concern). Each mentee's mentors are sorted once and a
    heap hands out the best remaining pair, so it runs at 5,000 x 5,000 in seconds."""
    f = Features(problem)
    if not (f.n and f.m):
        return _result(f, [], np.zeros((f.n, f.m), dtype=bool))
    total, allowed = score_matrix(f)
    left = np.array([p.capacity for p in problem.mentors], dtype=np.int64)
    value = np.where(allowed, total, -1)
    order = np.argsort(-value, axis=1, kind="stable")  # each mentee's mentors, best first
    best = value[np.arange(f.n), order[:, 0]]
    heap = [(-float(best[i]), i, int(order[i, 0])) for i in range(f.n) if best[i] >= 0]
    heapq.heapify(heap)
    position = np.zeros(f.n, dtype=np.int64)
    chosen = []
    while heap:
        _score, i, j = heapq.heappop(heap)
        if left[j] > 0:
            left[j] -= 1
            chosen.append((i, j, False))
            continue
        # That mentor is full for good: this mentee's next mentor with a place.
        k, row = position[i] + 1, order[i]
        while k < f.m and left[row[k]] == 0:
            k += 1
        position[i] = k
        if k < f.m and value[i, row[k]] >= 0:
            heapq.heappush(heap, (-float(value[i, row[k]]), i, int(row[k])))
    return _result(f, chosen, allowed)


def _result(f: Features, chosen, allowed) -> Result:
    from matching.explain import unplaced_reason  # explanations read the engine's output

    chosen = sorted(chosen)
    pairs = []
    if chosen:
        rows, cols = [c[0] for c in chosen], [c[1] for c in chosen]
        scores, components, _broken = evaluate_pairs(f, rows, cols)
        for k, (i, j, is_locked) in enumerate(chosen):
            pairs.append(
                Pairing(
                    mentor_id=f.problem.mentors[j].id,
                    mentee_id=f.problem.mentees[i].id,
                    score=round(float(scores[k]), 2),
                    components={name: round(float(v[k]), 3) for name, v in components.items()},
                    locked=is_locked,
                )
            )
    placed_mentees = {c[0] for c in chosen}
    used = (
        np.bincount([c[1] for c in chosen], minlength=f.m)
        if chosen
        else np.zeros(f.m, dtype=np.int64)
    )
    unplaced = [
        Unplaced(person.id, "mentee", unplaced_reason(f, allowed, "mentee", i))
        for i, person in enumerate(f.problem.mentees)
        if i not in placed_mentees
    ] + [
        Unplaced(person.id, "mentor", unplaced_reason(f, allowed, "mentor", j))
        for j, person in enumerate(f.problem.mentors)
        if used[j] == 0
    ]
    return Result(pairs=pairs, unplaced=unplaced)
