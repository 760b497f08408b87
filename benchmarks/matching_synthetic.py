"""A made-up but realistic company, as the matching engine sees it: for benchmarks and
tests, never for real people.

    synthetic_problem(mentees=1000, mentors=1000, capacity=1, seed=0)

The company has departments, each with a head reporting to one chief executive, and a
manager chain under each head in which every manager is at a higher job level than
their reports. Mentees are senior (levels 5 to 10), mentors junior (1 to 4), with some
overlap (junior mentees, senior mentors) so that the direction constraint rules pairs
out. Many mentors report, directly or further up, to a mentee, so that the reporting
line rules pairs out too. Offices sit in a few time zones; most people speak English,
some only their office's language. Everything is drawn from ``seed``: the same
arguments give the same problem. Participant ids and employee ids are numbered apart,
so that code mixing them up is caught.
"""

import numpy as np

from matching.availability import DAYS, PARTS
from matching.engine import REVERSE, Person, Problem

DEPARTMENTS = (
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "Human Resources",
    "Operations",
    "Legal",
    "Customer Success",
    "Product",
    "Data",
    "Procurement",
    "Communications",
)
# Office -> (time zone, local language, share of staff who speak only that language).
OFFICES = {
    "London": ("Europe/London", "english", 0.0),
    "New York": ("America/New_York", "english", 0.0),
    "Berlin": ("Europe/Berlin", "german", 0.3),
    "Paris": ("Europe/Paris", "french", 0.3),
    "Madrid": ("Europe/Madrid", "spanish", 0.3),
    "Bangalore": ("Asia/Kolkata", "english", 0.0),
}
OFFICE_SHARES = (0.35, 0.2, 0.15, 0.1, 0.1, 0.1)
SLOTS = tuple(f"{day}-{part}" for day in DAYS for part in PARTS)
TOPICS = {
    1: "Generative AI tools",
    2: "Social media",
    3: "Data visualisation",
    4: "Remote collaboration",
    5: "Mobile-first customers",
    6: "Cybersecurity habits",
    7: "Automation and no-code",
    8: "Gen Z at work",
    9: "Inclusive language",
    10: "Sustainability",
}
FIRST_NAMES = (
    "Priya",
    "Tom",
    "Amara",
    "Lukas",
    "Sofia",
    "Kenji",
    "Chloé",
    "Mateo",
    "Aisha",
    "Oliver",
    "Ines",
    "Ravi",
)
LAST_NAMES = ("Shah", "Becker", "Martin", "García", "Okafor", "Smith", "Nakamura", "Dubois")
TOP_LEVEL = 12  # the chief executive; department heads are 11


def _levels(rng, count, low, high, overlap_low, overlap_high, overlap, unknown):
    """Levels mostly in low..high, an ``overlap`` share in overlap_low..overlap_high and an
    ``unknown`` share without a level (None)."""
    levels = rng.integers(low, high + 1, size=count)
    draw = rng.random(count)
    crossing = draw < overlap
    levels[crossing] = rng.integers(overlap_low, overlap_high + 1, size=int(crossing.sum()))
    known = draw < 1 - unknown
    return [int(x) if k else None for x, k in zip(levels, known, strict=True)]


def synthetic_problem(
    mentees: int,
    mentors: int,
    capacity: int,
    seed: int = 0,
    direction: str = REVERSE,
    *,
    inclusion: bool = True,
) -> Problem:
    """A problem of ``mentees`` mentees and ``mentors`` mentors with ``capacity`` places
    each. ``inclusion`` switches on the inclusion component (every component then counts,
    the most work for the engine)."""
    rng = np.random.default_rng(seed)
    n, m = mentees, mentors
    people = n + m  # mentees first, then mentors
    departments = len(DEPARTMENTS)

    # Employee ids: the chief executive, the department heads, then the participants in a
    # shuffled order; participant ids are 1..people, employee ids start at 100,000.
    ceo = 100_000
    heads = [ceo + 1 + d for d in range(departments)]
    employee = (ceo + 1 + departments + rng.permutation(people)).tolist()

    department = rng.integers(0, departments, size=people).tolist()
    office = rng.choice(len(OFFICES), size=people, p=OFFICE_SHARES).tolist()
    level = _levels(rng, n, 5, 10, 3, 4, overlap=0.1, unknown=0.03) + _levels(
        rng, m, 1, 4, 5, 6, overlap=0.1, unknown=0.03
    )
    # Where someone sits in the hierarchy; people without a known level sit mid-way.
    rank = [5 if x is None else x for x in level]

    # Each participant's manager: a participant of the same department one to three
    # levels up (so mentees manage mentors, and senior mentees junior ones), else the
    # department's head. Levels only go up, so chains end.
    by_place: dict[tuple[int, int], list[int]] = {}
    for k in range(people):
        by_place.setdefault((department[k], rank[k]), []).append(k)
    manager_of: dict[int, int] = dict.fromkeys(heads, ceo)
    steps = rng.integers(1, 4, size=people).tolist()
    picks = rng.random(people).tolist()
    for k in range(people):
        boss = heads[department[k]]
        for up in (steps[k], 1, 2, 3):
            above = by_place.get((department[k], rank[k] + up))
            if above:
                boss = employee[above[int(picks[k] * len(above))]]
                break
        manager_of[employee[k]] = boss

    chains: dict[int, frozenset[int]] = {ceo: frozenset()}

    def chain(e: int) -> frozenset[int]:
        # Iterative, so that long chains need no deep recursion.
        path = []
        while e not in chains:
            path.append(e)
            e = manager_of[e]
        for below in reversed(path):
            chains[below] = chains[manager_of[below]] | {manager_of[below]}
        return chains[path[0]] if path else chains[e]

    # Languages: English, unless the office's own language only; a few speak both.
    only_local = rng.random(people).tolist()
    bilingual = rng.random(people).tolist()
    offices = list(OFFICES.items())

    availability_count = rng.integers(2, 7, size=people).tolist()
    availability_order = np.argsort(rng.random((people, len(SLOTS))), axis=1)[:, :6].tolist()

    def topic_levels(count_low, count_high, level_low, level_high):
        counts = rng.integers(count_low, count_high + 1, size=people).tolist()
        order = np.argsort(rng.random((people, len(TOPICS))), axis=1)[:, :count_high] + 1
        values = rng.integers(level_low, level_high + 1, size=(people, count_high)).tolist()
        return [
            dict(zip(order[k, : counts[k]].tolist(), values[k][: counts[k]], strict=True))
            for k in range(people)
        ]

    # Junior mentors teach the new things well; senior mentees want to learn them, and
    # in return teach (in a mutual program) what the juniors want to learn.
    teaches = topic_levels(2, 4, 2, 5)
    learns = topic_levels(1, 3, 1, 5)
    born = [
        int(x)
        for x in np.where(
            np.arange(people) < n,
            rng.integers(1962, 1990, size=people),
            rng.integers(1988, 2005, size=people),
        )
    ]
    no_birth_year = (rng.random(people) < 0.05).tolist()

    # A few ask for someone, or would rather not have someone, of the other side.
    asks = rng.random(people).tolist()
    avoids = rng.random(people).tolist()
    other = rng.random(people).tolist()

    def someone_else(k: int) -> frozenset[int]:
        if k < n:
            return frozenset({employee[n + int(other[k] * m)]}) if m else frozenset()
        return frozenset({employee[int(other[k] * n)]}) if n else frozenset()

    built = []
    for k in range(people):
        name, (zone, local, only_share) = offices[office[k]]
        if only_local[k] < only_share:
            languages = frozenset({local})
        elif local != "english" and bilingual[k] < 0.5:
            languages = frozenset({"english", local})
        else:
            languages = frozenset({"english"})
        slots = availability_order[k][: availability_count[k]]
        built.append(
            Person(
                id=k + 1,
                employee_id=employee[k],
                name=f"{FIRST_NAMES[k % len(FIRST_NAMES)]} {LAST_NAMES[k % len(LAST_NAMES)]}",
                department=DEPARTMENTS[department[k]],
                level=level[k],
                managers=chain(employee[k]),
                time_zone=zone,
                availability=frozenset(SLOTS[s] for s in slots),
                languages=languages,
                teaches=teaches[k] if k >= n or direction != REVERSE else {},
                learns=learns[k],
                capacity=capacity if k >= n else 1,
                birth_year=None if no_birth_year[k] else born[k],
                location=name,
                asks_for=someone_else(k) if asks[k] < 0.04 else frozenset(),
                avoids=someone_else(k) if avoids[k] < 0.02 else frozenset(),
            )
        )
    mentee_people, mentor_people = tuple(built[:n]), tuple(built[n:])

    # Some pairs of an earlier round ended.
    ended = set()
    if n and m:
        count = max(1, n // 100)
        for a, b in zip(
            rng.integers(0, m, size=count).tolist(),
            rng.integers(0, n, size=count).tolist(),
            strict=True,
        ):
            ended.add((mentor_people[a].id, mentee_people[b].id))

    return Problem(
        mentors=mentor_people,
        mentees=mentee_people,
        direction=direction,
        inclusion=inclusion,
        ended=frozenset(ended),
        topic_names=dict(TOPICS),
    )
