"""The roles a member can hold in an organisation.

Mentor and mentee are not organisation roles: a participant is a mentor in one program
and perhaps a mentee in another, which the programs app records per enrolment.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    PROGRAM_MANAGER = "program_manager", _("Program manager")
    EXECUTIVE = "executive", _("Executive")
    PARTICIPANT = "participant", _("Participant")


# The Membership boolean field that stores each role. Booleans rather than a list keep
# "who are the admins of X" an indexed query on SQLite and PostgreSQL alike.
ROLE_FIELDS: dict[Role, str] = {
    Role.ADMIN: "is_admin",
    Role.PROGRAM_MANAGER: "is_program_manager",
    Role.EXECUTIVE: "is_executive",
    Role.PARTICIPANT: "is_participant",
}
