"""Rules the test suite keeps about itself."""

import ast
from pathlib import Path

import pytest

from reports.tasks import snapshot_today_task

TESTS = Path(__file__).resolve().parent


def _imported_modules(tree: ast.AST, package: str) -> set[str]:
    """Every module a file imports, absolute, with relative imports resolved against the
    file's package; ``from a import b`` counts both ``a`` and ``a.b`` (b may be a module)."""
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            modules.add(module)
            modules.update(f"{module}.{alias.name}" for alias in node.names)
    return modules


def _is_test_or_conftest(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.split(".")[0] == "tests" and (last.startswith("test_") or last == "conftest")


def _suite_files() -> list[Path]:
    return sorted([*TESTS.rglob("test_*.py"), *TESTS.rglob("conftest.py")])


def test_no_test_module_imports_another_test_module_or_a_conftest():
    """Shared helpers live in helper modules (factories.py, helpers.py, tenant_world.py) or
    conftest fixtures: importing a test module runs its tests' imports and fixtures twice
    and couples two files that should stand alone; importing a conftest bypasses pytest's
    own loading of it."""
    offences = []
    for path in _suite_files():
        relative = path.relative_to(TESTS.parent)
        package = ".".join(relative.parent.parts)
        tree = ast.parse(path.read_text(), filename=str(path))
        for module in sorted(_imported_modules(tree, package)):
            if _is_test_or_conftest(module):
                offences.append(f"{relative} imports {module}")
    assert not offences, "\n".join(offences)


def test_the_import_rule_sees_absolute_relative_and_nested_imports():
    source = (
        "from tests.surveys.test_results import _survey\n"
        "from tests.reports import conftest\n"
        "from .test_release import MENTORS\n"
        "def f():\n"
        "    import tests.accounts.test_sign_in\n"
        "from tests.surveys.helpers import survey_build\n"
    )
    modules = _imported_modules(ast.parse(source), "tests.surveys")
    found = sorted(module for module in modules if _is_test_or_conftest(module))
    assert found == [
        "tests.accounts.test_sign_in",
        "tests.reports.conftest",
        "tests.surveys.test_release",
        "tests.surveys.test_results",
    ]


@pytest.mark.django_db
def test_a_task_enqueued_with_a_model_instance_fails_the_test_even_when_run_eagerly(
    acme, celery_arguments_serialise
):
    """CELERY_TASK_ALWAYS_EAGER skips serialising; the suite's check does not."""
    with pytest.raises(TypeError, match="reports.tasks.snapshot_today_task") as raised:
        snapshot_today_task.delay(organization_id=acme)

    assert "json" in str(raised.value)
    assert len(celery_arguments_serialise) == 1
    celery_arguments_serialise.clear()  # provoked on purpose: the teardown must not fail


@pytest.mark.django_db
def test_a_task_enqueued_with_ids_runs_as_before(acme, celery_arguments_serialise):
    snapshot_today_task.delay(organization_id=acme.pk)

    assert celery_arguments_serialise == []
