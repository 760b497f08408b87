from datetime import date

import pytest

from tests.organizations.factories import EmployeeFactory
from tests.programs.factories import CohortFactory, ParticipantFactory, ProgramFactory
from tests.surveys.helpers import MENTEES, MENTORS


@pytest.fixture
def cohort(acme):
    """The held-answers cohort: six mentors and three mentees, all approved, in Acme's
    Reverse program (tests/surveys/test_release.py, test_unlinkable.py)."""
    program = ProgramFactory(
        organization=acme, name="Reverse", start_date=date(2027, 1, 1), end_date=date(2027, 9, 30)
    )
    cohort = CohortFactory(
        program=program, name="Pilot", start_date=date(2027, 1, 1), end_date=date(2027, 6, 30)
    )
    for n in range(MENTORS + MENTEES):
        ParticipantFactory(
            cohort=cohort,
            employee=EmployeeFactory(
                organization=acme, employee_number=f"E{n}", name=f"Person {n}", email=""
            ),
            role="mentor" if n < MENTORS else "mentee",
        )
    return cohort
