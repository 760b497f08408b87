"""The benchmark command prints the solver's time apart from the end-to-end time, the
bare solver's figures beside the engine's (measured in the same run, on the same cost
matrix), both memory figures, and whether each row meets the issues' targets."""

import io

import numpy as np
from django.core.management import call_command

from benchmarks.management.commands.benchmark_matching import _check, save_cost
from benchmarks.matching_synthetic import synthetic_problem
from matching import engine


def test_the_benchmark_prints_solver_and_end_to_end_times_memory_and_the_checks():
    out = io.StringIO()

    call_command("benchmark_matching", sizes="30", stdout=out)

    header, _rule, *rows, verdict = out.getvalue().splitlines()
    assert header.split()[:6] == ["mentees", "mentors", "capacity", "build", "s", "solver"]
    for column in (
        "solver s",
        "e2e s",
        "e2e CPU s",
        "own CPU s",
        "bare CPU s",
        "CPU x",
        "traced MB",
        "RSS MB",
        "bare RSS MB",
        "RSS x",
        "check",
    ):
        assert column in header
    assert [row.split()[:3] for row in rows] == [["30", "30", "1"], ["30", "15", "2"]]
    assert all(row.endswith("pass: optimum >= greedy") for row in rows)
    for row in rows:
        values = row.split()
        cpu, own_cpu, bare_cpu, cpu_ratio = (float(x) for x in values[6:10])
        rss, bare_rss, rss_ratio = (float(x) for x in values[11:14])
        assert rss > 10 and bare_rss > 10  # live processes
        assert abs(rss_ratio - rss / bare_rss) < 0.02
        assert cpu_ratio > 0 and bare_cpu >= 0 and 0 < own_cpu <= cpu
    assert verdict == "All targets met."


def test_the_bare_solver_gets_the_cost_matrix_the_engine_solves(tmp_path):
    problem = synthetic_problem(12, 6, 2, seed=1)
    handed = []
    solve = engine.linear_sum_assignment

    def capture(cost):
        handed.append(cost.copy())
        return solve(cost)

    engine.linear_sum_assignment, saved = capture, engine.linear_sum_assignment
    try:
        engine.solve(problem)
    finally:
        engine.linear_sum_assignment = saved

    save_cost(problem, tmp_path / "cost.npy")

    assert handed[0].shape == (12, 12)
    assert np.array_equal(np.load(tmp_path / "cost.npy"), handed[0])


def test_the_check_names_a_missed_target():
    assert _check(1000, 1000, 1, 1.5, 10.0, 9.0) == "pass: e2e < 2 s, optimum >= greedy"
    assert _check(5000, 5000, 1, 31.0, 10.0, 9.0) == "FAIL: e2e 31.0 s >= 30 s"
    assert _check(1000, 500, 2, 9.0, 8.0, 9.0) == "FAIL: below greedy"
    assert _check(5000, 2500, 2, 40.0, 10.0, 9.0, cpu_ratio=1.2, rss_ratio=1.1) == (
        "pass: CPU x <= 1.3, RSS x <= 1.5, optimum >= greedy"
    )
    assert _check(5000, 5000, 1, 20.0, 10.0, 9.0, cpu_ratio=1.4, rss_ratio=1.6) == (
        "FAIL: CPU x 1.40 > 1.3; RSS x 1.60 > 1.5"
    )
