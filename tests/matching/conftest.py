"""A small cohort to match, shared by the matching tests."""

from datetime import date

import pytest

from organizations.models import Department, Employee
from organizations.tenancy import tenant_context
from programs.models import Cohort, Participant, ParticipantTopic, Program, Topic


@pytest.fixture
def world(acme):
    """A reverse program in matching with one cohort: mentors Ann (Sales, level 2,
    capacity 1), Bea (Engineering, 3) and Cy (Sales, 1), mentees Dan (Engineering, 8,
    managed by Bea's manager chain: Bea reports to Dan), Eve (Sales, 7) — all approved,
    with topics, no required training."""
    with tenant_context(organization=acme):
        sales = Department.objects.create(organization=acme, name="Sales")
        engineering = Department.objects.create(organization=acme, name="Engineering")
        topic = Topic.objects.create(organization=acme, name="Generative AI tools")
        program = Program.objects.create(
            organization=acme,
            name="Reverse",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 9, 30),
            status=Program.Status.MATCHING,
        )
        cohort = Cohort.objects.create(
            organization=acme,
            program=program,
            name="Pilot",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
        )
        people = {}
        dan = Employee.objects.create(
            organization=acme, employee_number="D", name="Dan Senior", email="dan@acme.example",
            department=engineering, job_level=8,
        )  # fmt: skip
        specs = [
            ("Ann Junior", "mentor", sales, 2, None),
            ("Bea Junior", "mentor", engineering, 3, dan),
            ("Cy Junior", "mentor", sales, 1, None),
            ("Dan Senior", "mentee", engineering, 8, None),
            ("Eve Senior", "mentee", sales, 7, None),
        ]
        for name, role, department, level, manager in specs:
            first = name.split()[0]
            employee = (
                dan
                if first == "Dan"
                else Employee.objects.create(
                    organization=acme,
                    employee_number=first,
                    name=name,
                    email=f"{first.lower()}@acme.example",
                    department=department,
                    job_level=level,
                    manager=manager,
                )
            )
            participant = Participant.objects.create(
                organization=acme,
                program=program,
                cohort=cohort,
                employee=employee,
                role=role,
                status=Participant.Status.APPROVED,
                availability=["tue-morning"],
                time_zone="Europe/Berlin",
                languages=["English"],
                goals="Learn",
            )
            ParticipantTopic.objects.create(
                organization=acme,
                participant=participant,
                topic=topic,
                kind="teach" if role == "mentor" else "learn",
                level=5 if first in ("Ann", "Bea") else 2,
            )
            people[first] = participant
    return {"program": program, "cohort": cohort, **people}
