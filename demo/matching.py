"""Demo matching: Acme's pilot cohort is matched and published, so the demo shows pairs,
their explanations and a program in its active stage (its second wave still recruiting).

Called by ``demo.organizations.seed_demo`` after the demo programs, inside the
organisation's tenant context. Idempotent: a cohort that already has pairs is left alone.
"""

from demo.programs import ACME_PROGRAM
from matching.models import Pair
from matching.services import matching_run, run_publish
from organizations.models import Organization
from programs.models import Cohort, Participant, Program
from programs.services import program_change_status


def seed_matching_demo(organization: Organization) -> None:
    pilot = Cohort.objects.filter(
        organization=organization, program__name=ACME_PROGRAM, name="Pilot"
    ).first()
    if pilot is None or Pair.objects.filter(cohort=pilot).exists():
        return
    program = pilot.program
    if program.status == Program.Status.RECRUITING:
        program_change_status(program=program, to=Program.Status.MATCHING)
    run = matching_run(cohort=pilot, actor=None, keep=_demo_logins_pair(pilot))
    run_publish(run=run)


def _demo_logins_pair(pilot: Cohort) -> list[tuple[int, int]]:
    """mentor@ and mentee@ are paired with each other, so that signing in as either shows
    the other (a pair kept as a program manager would lock it)."""
    slug = pilot.organization.slug
    emails = {f"mentor@{slug}.example": "mentor", f"mentee@{slug}.example": "mentee"}
    people = {
        emails[p.employee.email]: p.pk
        for p in Participant.objects.filter(
            cohort=pilot, employee__email__in=emails
        ).select_related("employee")
    }
    return [(people["mentor"], people["mentee"])] if len(people) == 2 else []
