"""Times the matching engine on made-up companies and compares its optimum with greedy.

    python manage.py benchmark_matching --sizes 100,1000,5000 --seed 0

For each size N, two problems from ``benchmarks.matching_synthetic``: N mentees with N
mentors of one place each, and N mentees with N/2 mentors of two places each. Each problem
is measured in a process of its own (forked), so that its memory figures are its own.
Columns:

- build s: Features and score_matrix, the scores of every pair;
- solver s: SciPy's ``linear_sum_assignment`` alone, inside ``engine.solve``;
- e2e s: end to end, what a program manager waits for less the database: ``engine.solve``
  (scores, constraints, the assignment, the reasons for whoever is left out) and the
  plain-words explanation of every pair, as ``matching_run`` builds them;
- e2e CPU s: the processor time of the same (all threads): on a machine shared with other
  work the wall clock (e2e s) also counts the waiting, this does not;
- traced MB: tracemalloc's peak during a second, traced ``solve`` (numpy's arrays are
  counted; SciPy's C++ working memory of the solver is not);
- RSS MB: the process's peak resident memory (``getrusage`` ru_maxrss) after the end to
  end run: everything, the solver's own memory and Python itself included;
- pairs, optimum, greedy, gain: pairs made, the optimum's total score, greedy's total
  on the same problem, and the optimum less greedy;
- check: against the issue's targets: end to end under 2 s for 1,000 by 1,000 and under
  30 s for 5,000 by 5,000 (capacity 1), and never below greedy (every row).

Pure engine: no database is touched (any query fails the command).
"""

import multiprocessing
import resource
import sys
import time
import tracemalloc
from contextlib import ExitStack
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from benchmarks.matching_synthetic import synthetic_problem
from matching import engine
from matching.explain import PairExplainer

COLUMNS = (
    ("mentees", 7),
    ("mentors", 7),
    ("capacity", 8),
    ("build s", 7),
    ("solver s", 8),
    ("e2e s", 7),
    ("e2e CPU s", 9),
    ("traced MB", 9),
    ("RSS MB", 7),
    ("pairs", 5),
    ("optimum", 10),
    ("greedy", 10),
    ("gain", 8),
    ("check", 0),
)
# The targets, end to end in seconds, for N mentees by N mentors of one place.
E2E_TARGETS = {1000: 2.0, 5000: 30.0}


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


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def _solve_end_to_end(problem: engine.Problem) -> tuple[engine.Result, float]:
    """``engine.solve`` and every pair's explanation; returns the seconds spent inside
    the solver too."""
    solver = [0.0]
    assign = engine.linear_sum_assignment

    def timed(cost):
        started = time.perf_counter()
        try:
            return assign(cost)
        finally:
            solver[0] += time.perf_counter() - started

    mentors = {p.id: p for p in problem.mentors}
    mentees = {p.id: p for p in problem.mentees}
    with mock.patch.object(engine, "linear_sum_assignment", timed):
        result = engine.solve(problem)
    explain = PairExplainer(problem)
    for pairing in result.pairs:
        explain(mentors[pairing.mentor_id], mentees[pairing.mentee_id], pairing.components)
    return result, solver[0]


def measure(mentees: int, mentors: int, capacity: int, seed: int) -> dict:
    problem = synthetic_problem(mentees, mentors, capacity, seed=seed)

    started = time.perf_counter()
    engine.score_matrix(engine.Features(problem))
    build = time.perf_counter() - started

    started, cpu_started = time.perf_counter(), time.process_time()
    result, solver = _solve_end_to_end(problem)
    end_to_end, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rss = _peak_rss_mb()

    tracemalloc.start()
    try:
        engine.solve(problem)
        _current, traced = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    optimum = result.total_score
    baseline = engine.greedy(problem).total_score
    return {
        "mentees": mentees,
        "mentors": mentors,
        "capacity": capacity,
        "build s": f"{build:.2f}",
        "solver s": f"{solver:.2f}",
        "e2e s": f"{end_to_end:.2f}",
        "e2e CPU s": f"{cpu:.2f}",
        "traced MB": f"{traced / 1024 / 1024:.0f}",
        "RSS MB": f"{rss:.0f}",
        "pairs": len(result.pairs),
        "optimum": f"{optimum:.1f}",
        "greedy": f"{baseline:.1f}",
        "gain": f"{optimum - baseline:+.1f}",
        "check": _check(mentees, mentors, capacity, end_to_end, optimum, baseline),
    }


def _check(mentees, mentors, capacity, end_to_end, optimum, baseline) -> str:
    failed, checked = [], ["optimum >= greedy"]
    if optimum < baseline:
        failed.append("below greedy")
    target = E2E_TARGETS.get(mentees) if (mentors, capacity) == (mentees, 1) else None
    if target is not None:
        checked.insert(0, f"e2e < {target:g} s")
        if end_to_end >= target:
            failed.append(f"e2e {end_to_end:.1f} s >= {target:g} s")
    if failed:
        return "FAIL: " + "; ".join(failed)
    return "pass: " + ", ".join(checked)


def _measure_apart(mentees: int, mentors: int, capacity: int, seed: int) -> dict:
    """``measure`` in a forked process of its own: its peak memory is then this problem's
    alone (a process's peak only grows), and nothing of it stays behind."""
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork here (Windows): measure in this process
        return measure(mentees, mentors, capacity, seed)
    with context.Pool(1) as pool:
        return pool.apply(measure, (mentees, mentors, capacity, seed))


class Command(BaseCommand):
    help = (
        "Time the matching engine (scores, solver, end to end, peak memory) on synthetic "
        "companies of --sizes mentees, compare the optimum with greedy, and check the "
        "issue's targets. Needs no database."
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
        header = " ".join(f"{name:>{width}}" for name, width in COLUMNS).rstrip()
        self.stdout.write(header)
        self.stdout.write("-" * (len(header) + 24))
        failures = 0
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(_no_queries))
            for size in mentee_counts:
                for mentors, capacity in ((size, 1), (size // 2, 2)):
                    row = _measure_apart(size, mentors, capacity, seed)
                    failures += row["check"].startswith("FAIL")
                    self.stdout.write(
                        " ".join(f"{row[name]!s:>{width}}" for name, width in COLUMNS)
                    )
        self.stdout.write(
            "All targets met."
            if not failures
            else f"{failures} row(s) missed a target (a loaded machine runs slower)."
        )
