from django.db.models import Count, QuerySet

from organizations.models import Organization
from programs.models import Program, Topic


def program_list(*, organization: Organization) -> QuerySet[Program]:
    return Program.objects.filter(organization=organization).annotate(
        topic_count=Count("programtopic", distinct=True)
    )


def program_topics(program: Program) -> QuerySet[Topic]:
    return Topic.objects.filter(programtopic__program=program).order_by("name")


def topic_list(*, organization: Organization) -> QuerySet[Topic]:
    return Topic.objects.filter(organization=organization).order_by("-is_active", "name")
