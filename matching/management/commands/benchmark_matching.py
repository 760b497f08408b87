"""Times the matching engine on made-up companies and compares its optimum with greedy.

    python manage.py benchmark_matching --sizes 100,1000,5000 --seed 0

For each size N, two problems from ``matching.synthetic``: N mentees with N mentors of
one place each, and N mentees with N/2 mentors of two places each. Columns:

- build: Features and score_matrix, the scores of every pair;
- solve: ``engine.solve`` end to end (what a program manager waits for), timed without
  memory tracing;
- peak MB: tracemalloc's peak during a second, traced ``solve`` (numpy's arrays are
  counted; SciPy's C++ working memory of the solver is not);
- pairs, optimum, greedy, gain: pairs made, the optimum's total score, greedy's total
  on the same problem, and the optimum less greedy (never negative).

Pure engine: no database is touched (any query fails the command).
"""

import time
import tracemalloc
from contextlib import ExitStack

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from matching import engine
from matching.synthetic import synthetic_problem

COLUMNS = (
    ("mentees", 8),
    ("mentors", 8),
    ("capacity", 8),
    ("build s", 8),
    ("solve s", 8),
    ("peak MB", 8),
    ("pairs", 6),
    ("optimum", 11),
    ("greedy", 11),
    ("gain", 9),
)


def _no_queries(execute, sql, params, many, context):
    raise CommandError(f"benchmark_matching must not touch the database; it ran: {sql}")


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(x) for x in text.split(",") if x.strip()]
    except ValueError as error:
        raise CommandError(f"--sizes takes whole numbers separated by commas: {text}") from error
    if not sizes or min(sizes) < 2:
        raise CommandError("--sizes takes numbers of mentees of at least 2.")
    return sizes


def measure(mentees: int, mentors: int, capacity: int, seed: int) -> dict:
    problem = synthetic_problem(mentees, mentors, capacity, seed=seed)

    started = time.perf_counter()
    engine.score_matrix(engine.Features(problem))
    build = time.perf_counter() - started

    started = time.perf_counter()
    result = engine.solve(problem)
    solve = time.perf_counter() - started

    tracemalloc.start()
    try:
        engine.solve(problem)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    optimum = result.total_score
    baseline = engine.greedy(problem).total_score
    return {
        "mentees": mentees,
        "mentors": mentors,
        "capacity": capacity,
        "build s": f"{build:.2f}",
        "solve s": f"{solve:.2f}",
        "peak MB": f"{peak / 1024 / 1024:.1f}",
        "pairs": len(result.pairs),
        "optimum": f"{optimum:.2f}",
        "greedy": f"{baseline:.2f}",
        "gain": f"{optimum - baseline:+.2f}",
    }


class Command(BaseCommand):
    help = (
        "Time the matching engine (scores, solve, peak memory) on synthetic companies of "
        "--sizes mentees, and compare the optimum with greedy. Needs no database."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes",
            default="100,1000,5000",
            help="Numbers of mentees, separated by commas (default 100,1000,5000).",
        )
        parser.add_argument("--seed", type=int, default=0, help="Seed of the synthetic data.")

    def handle(self, *args, sizes: str, seed: int, **options):
        mentee_counts = _sizes(sizes)
        header = " ".join(f"{name:>{width}}" for name, width in COLUMNS)
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(_no_queries))
            for size in mentee_counts:
                for mentors, capacity in ((size, 1), (size // 2, 2)):
                    row = measure(size, mentors, capacity, seed)
                    self.stdout.write(
                        " ".join(f"{row[name]!s:>{width}}" for name, width in COLUMNS)
                    )
