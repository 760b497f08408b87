"""Who may take part in a program, and in which role, from the directory's facts."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.models import Employee
from programs.models import Participant, Program


def years_at_company(employee: Employee, today: date) -> int | None:
    """Completed years since the hire date, or None when the directory has no hire date."""
    if employee.hire_date is None:
        return None
    hired = employee.hire_date
    years = today.year - hired.year
    return years - 1 if (today.month, today.day) < (hired.month, hired.day) else years


def eligibility_problems(
    *, program: Program, employee: Employee, role: str, today: date | None = None
) -> list[str]:
    """Why ``employee`` may not join ``program`` as ``role``, in plain words; empty if
    they may. The sentences name the person, so they read well to a program manager
    and to the person themselves."""
    today = today or timezone.localdate(timezone=program.organization.zone)
    name = employee.name
    problems = []
    if employee.termination_date and employee.termination_date <= today:
        problems.append(_("%(name)s has left the organisation.") % {"name": name})
    if not employee.email:
        problems.append(
            _("%(name)s has no email address in the directory, so cannot sign in.") % {"name": name}
        )
    level, tenure = employee.job_level, years_at_company(employee, today)
    if role == Participant.Role.MENTOR:
        limit = program.mentor_max_level
        if limit is not None and (level is None or level > limit):
            problems.append(_level_problem(_("Mentors"), _("or below"), limit, name, level))
        limit = program.mentor_max_tenure_years
        if limit is not None and (tenure is None or tenure > limit):
            problems.append(_tenure_problem(_("Mentors"), _("at most"), limit, name, tenure))
    else:
        limit = program.mentee_min_level
        if limit is not None and (level is None or level < limit):
            problems.append(_level_problem(_("Mentees"), _("or above"), limit, name, level))
        limit = program.mentee_min_tenure_years
        if limit is not None and (tenure is None or tenure < limit):
            problems.append(_tenure_problem(_("Mentees"), _("at least"), limit, name, tenure))
    return problems


def _level_problem(who: str, bound: str, limit: int, name: str, level: int | None) -> str:
    rule = _("%(who)s in this program are at job level %(limit)s %(bound)s") % {
        "who": who,
        "limit": limit,
        "bound": bound,
    }
    if level is None:
        return _("%(rule)s; the directory has no job level for %(name)s.") % {
            "rule": rule,
            "name": name,
        }
    return _("%(rule)s; %(name)s is at level %(level)s.") % {
        "rule": rule,
        "name": name,
        "level": level,
    }


def _tenure_problem(who: str, bound: str, limit: int, name: str, tenure: int | None) -> str:
    rule = ngettext(
        "%(who)s in this program have %(bound)s %(limit)s year at the company",
        "%(who)s in this program have %(bound)s %(limit)s years at the company",
        limit,
    ) % {
        "who": who,
        "bound": bound,
        "limit": limit,
    }
    if tenure is None:
        return _("%(rule)s; the directory has no hire date for %(name)s.") % {
            "rule": rule,
            "name": name,
        }
    return ngettext(
        "%(rule)s; %(name)s has %(years)s year.", "%(rule)s; %(name)s has %(years)s years.", tenure
    ) % {
        "rule": rule,
        "name": name,
        "years": tenure,
    }
