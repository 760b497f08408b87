from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarksConfig(AppConfig):
    """Benchmarks and scale generators (``benchmark_*``, ``generate_scale_org``). Outside
    the layers: they may import any app, no app imports them."""

    name = "benchmarks"
    verbose_name = _("Benchmarks")
