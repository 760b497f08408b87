"""The benchmark command prints the solver's time apart from the end-to-end time, both
memory figures, and whether each row meets the issue's targets."""

import io

from django.core.management import call_command


def test_the_benchmark_prints_solver_and_end_to_end_times_memory_and_the_checks():
    out = io.StringIO()

    call_command("benchmark_matching", sizes="30", stdout=out)

    header, _rule, *rows, verdict = out.getvalue().splitlines()
    assert header.split()[:6] == ["mentees", "mentors", "capacity", "build", "s", "solver"]
    for column in ("solver s", "e2e s", "e2e CPU s", "traced MB", "RSS MB", "check"):
        assert column in header
    assert [row.split()[:3] for row in rows] == [["30", "30", "1"], ["30", "15", "2"]]
    assert all(row.endswith("pass: optimum >= greedy") for row in rows)
    assert all(float(row.split()[8]) > 10 for row in rows)  # RSS MB: a live process
    assert verdict == "All targets met."


def test_the_check_names_a_missed_target():
    from benchmarks.management.commands.benchmark_matching import _check

    assert _check(1000, 1000, 1, 1.5, 10.0, 9.0) == "pass: e2e < 2 s, optimum >= greedy"
    assert _check(5000, 5000, 1, 31.0, 10.0, 9.0) == "FAIL: e2e 31.0 s >= 30 s"
    assert _check(1000, 500, 2, 9.0, 8.0, 9.0) == "FAIL: below greedy"
