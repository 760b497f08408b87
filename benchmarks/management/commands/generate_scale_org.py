"""Make one large organisation for measuring the reports (issue 10's scale):

    python manage.py generate_scale_org                      # 50,000 employees, 5,000 pairs,
                                                             # 100,000 sessions, 500,000 answers
    python manage.py generate_scale_org --slug small --employees 2000 --pairs 200 \\
        --sessions 4000 --answers 20000 --seed 3
    python manage.py generate_scale_org --replace            # delete ``scale`` and make it again

What it makes is described in ``benchmarks.scale``. Prints each phase's time and the total.
Run it against a scratch or benchmark database: the organisation stays.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from benchmarks.scale import ScaleError, Sizes, scale_organization_create


class Command(BaseCommand):
    help = (
        "Create one large organisation (by default 50,000 employees, 5,000 pairs, 100,000 "
        "sessions, 500,000 survey answers) for measuring the reports; print phase timings."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--slug", default="scale", help="The organisation's slug.")
        parser.add_argument("--employees", type=int, default=defaults.employees)
        parser.add_argument("--pairs", type=int, default=defaults.pairs)
        parser.add_argument("--sessions", type=int, default=defaults.sessions)
        parser.add_argument("--answers", type=int, default=defaults.answers)
        parser.add_argument(
            "--seed", type=int, default=1, help="The same seed and day give the same data."
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The day the history leads up to, YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete an organisation with this slug first (otherwise it is refused).",
        )

    def handle(self, *args, slug, employees, pairs, sessions, answers, seed, today, replace, **_):
        sizes = Sizes(employees=employees, pairs=pairs, sessions=sessions, answers=answers)
        self.stdout.write(
            f"Making {slug!r}: {employees:,} employees, {pairs:,} pairs, {sessions:,} "
            f"sessions, {answers:,} answers (seed {seed})."
        )
        try:
            result = scale_organization_create(
                slug=slug,
                sizes=sizes,
                seed=seed,
                today=today,
                replace=replace,
                log=self.stdout.write,
            )
        except ScaleError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Made {result.organization.slug!r} (id {result.organization.pk}) in "
                f"{result.timings['total']:.1f} s."
            )
        )
