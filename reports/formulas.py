"""The KPI formulas: plain functions on plain numbers and rows, no query, so each can be
tested on numbers worked out by hand (tests/reports/test_formulas.py).

reports.kpis fetches the rows (as of the end of a day, per cohort) and hands them here;
what comes back are raw, additive figures per cohort (numerators and denominators, never
percentages), so a program's figure is the sum of its cohorts' (``add``). The shares a
dashboard shows are taken later (``ratio``, ``net_promoter_score``, reports.measures).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

Figures = dict  # name -> number, or name -> Figures (nested, summed alike)
PROMOTERS, DETRACTORS_BELOW = 9, 7  # NPS: 9-10 promote, 0-6 detract
SATISFIED_FROM = 4  # of 5: "agree" or "strongly agree"
# The self-identified dimensions answered from a fixed list (ethnicity, in the person's
# own words, would name people: it is never counted).
CATEGORY_DIMENSIONS = ("gender", "disability", "lgbtq", "first_generation")
GENERATIONS = (  # by birth year, the usual cut-offs
    (1997, "gen_z"),
    (1981, "millennials"),
    (1965, "gen_x"),
    (1946, "boomers"),
)


def add(into: Figures, more: Figures) -> Figures:
    """Sum ``more`` into ``into``: numbers add, nested figures add key by key."""
    for name, value in more.items():
        if isinstance(value, dict):
            add(into.setdefault(name, {}), value)
        else:
            into[name] = into.get(name, 0) + value
    return into


def ratio(numerator, denominator) -> float | None:
    """A share in percent; None when there is nothing to divide by."""
    return None if not denominator else 100 * (numerator or 0) / denominator


def net_promoter_score(promoters, detractors, answers) -> float | None:
    """Promoters' share minus detractors' share, in points; None without answers."""
    return None if not answers else 100 * ((promoters or 0) - (detractors or 0)) / answers


def generation(birth_year: int | None) -> str:
    if birth_year is None:
        return "unknown"
    for first_year, name in GENERATIONS:
        if birth_year >= first_year:
            return name
    return "silent"


def _per_cohort() -> defaultdict:
    return defaultdict(dict)


# --- Enrolment and pairs ------------------------------------------------------------------


def people_in_pairs(pairs: Iterable[tuple[int, int, int]]) -> dict[int, int]:
    """How many people are in the given pairs, per cohort, each person once:
    ``pairs`` as (cohort, mentor, mentee)."""
    people = defaultdict(set)
    for cohort, mentor, mentee in pairs:
        people[cohort].update((mentor, mentee))
    return {cohort: len(ids) for cohort, ids in people.items()}


def pair_figures(pairs: Iterable[tuple[int, bool, str | None, str | None]]) -> dict[int, Figures]:
    """From the pairs started, as (cohort, still active, one person's department, the
    other's): ``pairs_started``, ``pairs_active``, ``pairs_cross_department`` (both
    departments known and different) and ``network``, the pairs across departments per
    pair of departments ("A|B", alphabetical)."""
    figures = _per_cohort()
    for cohort, active, one, other in pairs:
        crossing = bool(one and other and one != other)
        add(
            figures[cohort],
            {
                "pairs_started": 1,
                "pairs_active": int(active),
                "pairs_cross_department": int(crossing),
            },
        )
        if crossing:
            edge = "|".join(sorted((one, other)))
            add(figures[cohort], {"network": {edge: 1}})
    return figures


# --- Training -----------------------------------------------------------------------------


def training_figures(people: Iterable[tuple[int, int, int]]) -> dict[int, Figures]:
    """From the approved participants as (cohort, modules their role requires, modules
    they completed): ``training_people``, those with any module to do, and
    ``training_complete``, of them those who completed at least as many."""
    figures = _per_cohort()
    for cohort, required, completed in people:
        if required:
            add(
                figures[cohort],
                {"training_people": 1, "training_complete": int(completed >= required)},
            )
    return figures


# --- Surveys ------------------------------------------------------------------------------


def satisfaction_figures(answers: Iterable[tuple[int, object, int]]) -> dict[int, Figures]:
    """From the counts of answers to the satisfaction question, as (cohort, value, how
    many): ``satisfaction_answers`` and ``satisfied``, those at 4 or 5 of 5. A value
    that is not a number counts in neither."""
    figures = _per_cohort()
    for cohort, value, n in answers:
        if isinstance(value, int):
            add(
                figures[cohort],
                {"satisfaction_answers": n, "satisfied": n * (value >= SATISFIED_FROM)},
            )
    return figures


def nps_figures(answers: Iterable[tuple[int, object, int]]) -> dict[int, Figures]:
    """From the counts of answers to the 0 to 10 question, as (cohort, value, how many):
    ``nps_answers``, ``promoters`` (9 or 10) and ``detractors`` (0 to 6)."""
    figures = _per_cohort()
    for cohort, value, n in answers:
        if isinstance(value, int):
            add(
                figures[cohort],
                {
                    "nps_answers": n,
                    "promoters": n * (value >= PROMOTERS),
                    "detractors": n * (value < DETRACTORS_BELOW),
                },
            )
    return figures


def skills_figures(answers: Iterable[tuple[int, str, str, object]]) -> dict[int, Figures]:
    """From skills-grid answers as (cohort, role, stage: "baseline" or "end", {topic id:
    level}): ``skills[role][topic id]`` with ``<stage>_sum`` and ``<stage>_n`` over the
    levels from 1 to 5 (anything else is left out)."""
    figures = _per_cohort()
    # Summed in place rather than through ``add``: there is a row per answer.
    for cohort, role, stage, value in answers:
        if not isinstance(value, dict):
            continue
        by_topic = None
        for topic, level in value.items():
            if isinstance(level, int) and 1 <= level <= 5:
                if by_topic is None:
                    skills = figures[cohort].setdefault("skills", {})
                    by_topic = skills.setdefault(role, {})
                sums = by_topic.setdefault(str(topic), {})
                sums[f"{stage}_sum"] = sums.get(f"{stage}_sum", 0) + level
                sums[f"{stage}_n"] = sums.get(f"{stage}_n", 0) + 1
    return figures


# --- Retention and promotion: direct standardisation --------------------------------------


@dataclass(frozen=True)
class ComparisonCell:
    """A stratum (a department and job level on the start date) of the comparison group:
    how many people, how many of them were kept to the window's end, how many promoted."""

    people: int
    kept: int
    promoted: int


@dataclass(frozen=True)
class Participation:
    """A participant for retention: their stratum on the start date, whether they were
    kept to the window's end, whether promoted in it, and whether a mentor (promotion is
    counted for mentors only)."""

    cell: object
    kept: bool
    promoted: bool
    mentor: bool


# What standardised_retention returns: a closed window's figures (reports.models.FrozenRetention).
RETENTION_FIGURES = (
    "retention_people",
    "retention_kept",
    "retention_expected",
    "retention_comparison",
    "promotion_people",
    "promotion_promoted",
    "promotion_expected",
)


def standardised_retention(
    participants: Iterable[Participation], comparison: dict[object, ComparisonCell], least: int
) -> Figures:
    """Retention and promotion of a cohort's participants against non-participants of the
    same strata, by direct standardisation: each participant counts with the comparison
    rate of their own stratum, so a cohort of many juniors is compared with juniors.

    A stratum counts only with at least ``least`` comparison people (a smaller one would
    describe a handful of colleagues); a participant whose stratum does not count, or has
    no comparison at all, is left out of both sides. Returns ``retention_people``,
    ``retention_kept``, ``retention_expected`` (the sum of the comparison's kept rates
    over the participants), ``retention_comparison`` (the comparison people in the strata
    matched, always present, zero when none) and the same ``promotion_*`` for mentors."""
    cells = {key: cell for key, cell in comparison.items() if cell.people >= max(least, 1)}
    found: Figures = {}
    matched = set()
    for person in participants:
        cell = cells.get(person.cell)
        if cell is None:
            continue
        matched.add(person.cell)
        one = {
            "retention_people": 1,
            "retention_kept": int(person.kept),
            "retention_expected": cell.kept / cell.people,
        }
        if person.mentor:
            one |= {
                "promotion_people": 1,
                "promotion_promoted": int(person.promoted),
                "promotion_expected": cell.promoted / cell.people,
            }
        add(found, one)
    add(found, {"retention_comparison": sum(cells[key].people for key in matched)})
    return found


# --- Who takes part -----------------------------------------------------------------------


@dataclass(frozen=True)
class Taking:
    """One approved participation, for the breakdowns (``participation``)."""

    cohort: int
    program: int
    employee: int
    role: str
    department: str
    level: str
    generation: str
    answers: tuple  # ((dimension, answer), ...) the person chose to give


def participation(rows: list[Taking]) -> Figures:
    """Who takes part, each person counted once per role however many cohorts they are
    in: ``by_department``, ``by_level``, ``by_generation``, each ``{group: {role: n}}``;
    and ``inclusion``, per self-identified dimension (categories only: free-text answers
    would name people), ``{answer: n}`` over those who chose to answer. Small groups are
    hidden where these are shown, not here."""
    # Counted in place rather than through ``add``: this runs for every scope every
    # night, over every participation (issue 19).
    found: Figures = {}
    for row in {(row.employee, row.role): row for row in rows}.values():
        for name, group in (
            ("by_department", row.department),
            ("by_level", row.level),
            ("by_generation", row.generation),
        ):
            roles = found.setdefault(name, {}).setdefault(group, {})
            roles[row.role] = roles.get(row.role, 0) + 1
    people = {row.employee: row.answers for row in rows}
    for answers in people.values():
        for dimension, answer in answers:
            counts = found.setdefault("inclusion", {}).setdefault(dimension, {})
            counts[answer] = counts.get(answer, 0) + 1
    return found
