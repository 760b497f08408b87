"""Which groups a figure may be shown for at one moment: the smallest group shown, and
which small groups to hide so that no subtraction brings them back. Pure: numbers in,
decisions out, no query (a threshold reads only the organisation's own setting).

Every output about groups of people follows it: the survey results (surveys.selectors
.results, over cross cells of cohort, role, department and level) and the reports'
breakdowns (reports.publication, over one breakdown at a time). Over time, the companion
rule is organizations.disclosure: a group under the same threshold shows nothing, and a
shown figure changes only when its group has changed by the threshold. The two agree on
what "small" means (fewer than the threshold, zero included where a figure would show);
this module decides one moment, disclosure the sequence of moments.

The rules here:

1. The threshold: five unless the organisation raised it (``survey_min_group``), never
   below three for survey results; never below five for the reports (an executive's
   dashboard reads people, not answers).
2. A group with fewer people than the threshold shows no figures (``hide_small`` for a
   breakdown of counts, ``hidden_groups`` for survey results).
3. Complementary suppression: within groups that add up to a shown total, what is hidden
   must itself add up to the threshold or to nobody, else the next smallest is hidden too.
4. For survey results, an audit of every linear combination of the shown groups (a small
   mixed-integer program): while one equals a set of fewer than the threshold people,
   the smallest group in it is hidden too. If the solver cannot decide, only the overall
   figures stay.
"""

from collections import defaultdict
from collections.abc import Iterable

DEFAULT_MIN_GROUP = 5
LOWEST_MIN_GROUP = 3
REPORTS_MIN_GROUP = 5
SOLVER_SECONDS = 5.0


# --- Thresholds --------------------------------------------------------------------------


def survey_min_group(organization) -> int:
    """The smallest group whose survey figures are shown: 5 unless the organisation
    raised it, and never below 3 whatever its settings say."""
    value = getattr(organization, "survey_min_group", None) or DEFAULT_MIN_GROUP
    return max(LOWEST_MIN_GROUP, int(value))


def report_min_group(organization) -> int:
    """The smallest group a report shows: five, or the organisation's higher threshold."""
    return max(REPORTS_MIN_GROUP, survey_min_group(organization))


# --- One breakdown of counts (the reports) -------------------------------------------------


def hide_small(counts: dict[str, int], least: int) -> dict[str, bool]:
    """Which groups to hide: every group of 1 to ``least`` - 1, then, while the hidden
    groups together come to fewer than ``least`` (their total is the shown total minus
    the shown groups), the smallest shown group too. An empty group hides nothing."""
    hidden = {name: 0 < count < least for name, count in counts.items()}

    def hidden_total() -> int:
        return sum(count for name, count in counts.items() if hidden[name])

    while 0 < hidden_total() < least:
        shown = sorted(
            (count, name) for name, count in counts.items() if not hidden[name] and count
        )
        if not shown:
            break
        hidden[shown[0][1]] = True
    return hidden


# --- Groups of respondents cut by several dimensions (survey results) ----------------------

DIMENSIONS = ("cohort", "role", "department", "level")
DIMENSION_POSITION = {name: i for i, name in enumerate(DIMENSIONS)}

# A group is named by its constraints, in DIMENSIONS order: () is everyone,
# (("cohort", 3), ("role", "mentor")) the mentors of cohort 3. A cross cell ("atom") is a
# tuple of one value per dimension, in DIMENSIONS order.
Key = tuple[tuple[str, object], ...]
ROOT: Key = ()


class _Undecided(Exception):
    """The audit could not tell whether a combination isolates a small group."""


def group_key(constraints) -> Key:
    """A group's key from its constraints in any order."""
    return tuple(sorted(constraints, key=lambda pair: DIMENSION_POSITION[pair[0]]))


def in_group(atom: tuple, key: Key) -> bool:
    """Whether a cross cell lies inside a group."""
    return all(atom[DIMENSION_POSITION[dimension]] == value for dimension, value in key)


def hidden_groups(
    *,
    atoms: list[tuple],
    sizes: list[int],
    groups: Iterable[Key],
    breakdowns: list[tuple[Key, list[Key]]],
    threshold: int,
) -> set[Key]:
    """The groups to hide for one measure.

    ``atoms`` are the cross cells (cohort, role, department, level) holding any answer to
    the measure, ``sizes`` how many people each holds (a lower bound; 0 is allowed),
    ``groups`` every group any output shows (ROOT among them) and ``breakdowns`` each
    breakdown as (the group it divides, its cells). A group without answers is never
    hidden: it shows nothing to protect.
    """
    groups = list(dict.fromkeys(groups))
    members = {g: frozenset(i for i, atom in enumerate(atoms) if in_group(atom, g)) for g in groups}

    def size(indices) -> int:
        return sum(sizes[i] for i in indices)

    hidden = {g for g in groups if members[g] and size(members[g]) < threshold}

    def shown(g) -> bool:
        return bool(members[g]) and g not in hidden

    def smallest(candidates):
        return min(candidates, key=lambda g: (size(members[g]), len(g), repr(g)))

    def hide(group) -> None:
        """Hide a group and any other with the same people: they show the same figures."""
        hidden.update(g for g in groups if members[g] == members[group] and g != ROOT)

    def one_rule_step() -> bool:
        for parent, cells in breakdowns:
            if parent in hidden and any(shown(c) for c in cells):
                for cell in cells:
                    if members[cell]:
                        hide(cell)
                return True
        for outer in groups:
            if not shown(outer):
                continue
            for _parent, cells in breakdowns:
                inside = [
                    c for c in cells if c != outer and shown(c) and members[c] <= members[outer]
                ]
                if not inside:
                    continue
                rest = members[outer].difference(*(members[c] for c in inside))
                if rest and size(rest) < threshold:
                    hide(smallest(inside))
                    return True
        return False

    while True:
        if one_rule_step():
            continue
        visible = [g for g in groups if shown(g)]
        try:
            combination = _isolating_combination([members[g] for g in visible], sizes, threshold)
        except _Undecided:
            return {g for g in groups if g != ROOT and members[g]} | hidden
        if combination is None:
            # Under a hidden group even an empty cell is hidden: "none here" would say
            # where the few answers came from.
            for parent, cells in breakdowns:
                if parent in hidden:
                    hidden.update(cells)
            return hidden
        candidates = [visible[i] for i in combination if members[visible[i]] != members[ROOT]]
        if not candidates:  # cannot happen: everyone alone is at least the threshold
            return {g for g in groups if g != ROOT and members[g]} | hidden
        hide(smallest(candidates))


def _isolating_combination(
    rows: list[frozenset[int]], sizes: list[int], threshold: int
) -> list[int] | None:
    """Indices of shown groups some linear combination of which equals a non-empty set of
    atoms holding fewer than ``threshold`` people, or None if there is none.

    Variables: v (one 0/1 per atom: the set revealed) and c (one real per group: the
    combination), with sum_g c_g * [atom in g] = v_atom for every atom. An atom of
    ``threshold`` people or more cannot be in such a set (its v is 0), and groups with the
    same atoms are one column."""
    # Atoms in exactly the same shown groups are one class: every combination treats them
    # alike. A class of ``threshold`` people or more cannot be in a small set.
    pattern: dict[int, list[int]] = defaultdict(list)
    for g, indices in enumerate(rows):
        for a in indices:
            pattern[a].append(g)
    classes: dict[tuple[int, ...], int] = defaultdict(int)
    for a, groups_of in pattern.items():
        classes[tuple(groups_of)] += sizes[a]
    if not classes:
        return None
    columns: dict[frozenset[int], list[int]] = defaultdict(list)
    for g, indices in enumerate(rows):
        columns[indices].append(g)
    column_of = {g: c for c, same in enumerate(columns.values()) for g in same}
    small = [k for k, people in classes.items() if people < threshold]
    if not small:
        return None
    # Imported here, not at the top: SciPy takes seconds to load, and every process
    # (web, worker, each test worker) imports this module at start-up.
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_v, n_c = len(small), len(columns)
    free = {k: i for i, k in enumerate(small)}
    # One row per class: the sum of the columns holding it, minus its v if it has one.
    equal = np.zeros((len(classes), n_v + n_c))
    for row, k in enumerate(classes):
        for g in k:
            equal[row, n_v + column_of[g]] = 1.0
        if k in free:
            equal[row, free[k]] = -1.0
    count = np.concatenate([np.ones(n_v), np.zeros(n_c)])
    people = np.concatenate([np.asarray([classes[k] for k in small], dtype=float), np.zeros(n_c)])
    result = milp(
        np.zeros(n_v + n_c),
        constraints=[
            LinearConstraint(equal, 0, 0),
            LinearConstraint(count, 1, np.inf),
            LinearConstraint(people, -np.inf, threshold - 1),
        ],
        integrality=np.concatenate([np.ones(n_v), np.zeros(n_c)]),
        bounds=Bounds(
            np.concatenate([np.zeros(n_v), np.full(n_c, -np.inf)]),
            np.concatenate([np.ones(n_v), np.full(n_c, np.inf)]),
        ),
        options={"time_limit": SOLVER_SECONDS},
    )
    if result.status == 2:  # infeasible: no combination isolates a small group
        return None
    if result.status != 0 or result.x is None:
        raise _Undecided
    weights = result.x[n_v:]
    return [g for c, same in enumerate(columns.values()) if abs(weights[c]) > 1e-7 for g in same]
