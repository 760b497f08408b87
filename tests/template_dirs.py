"""The project's own template folders (not those of installed packages), for the tests
that read every template."""

from pathlib import Path

from django.conf import settings
from django.template import engines


def project_template_dirs() -> list[Path]:
    base = Path(settings.BASE_DIR).resolve()
    dirs = [Path(d).resolve() for d in engines["django"].template_dirs]
    return [d for d in dirs if d.is_relative_to(base) and ".venv" not in d.parts and d.is_dir()]
