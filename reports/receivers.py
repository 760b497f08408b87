"""When someone withdraws or changes their self-identified answers, the snapshots forget
the inclusion counts they were part of: comparing a stored day before the change with
one after it would otherwise give their answer away. When a program, cohort or topic
changes, the dashboard's cached sections (reports.cache), which name them, are stale."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from directory.models import EmployeeDemographics
from organizations.models import Organization
from programs.models import Cohort, Program, Topic
from reports.cache import labels_changed


def _forget(organization_id: int) -> None:
    from reports.services import snapshots_forget_inclusion_request

    snapshots_forget_inclusion_request(organization=Organization.objects.get(pk=organization_id))


@receiver(post_delete, sender=EmployeeDemographics, dispatch_uid="reports_consent_withdrawn")
def _withdrawn(sender, instance, **kwargs):
    _forget(instance.organization_id)


@receiver(post_save, sender=EmployeeDemographics, dispatch_uid="reports_answers_changed")
def _changed(sender, instance, created, **kwargs):
    if not created:  # a first answer changes no stored day: it was in none of them
        _forget(instance.organization_id)


@receiver(post_save, sender=Program, dispatch_uid="reports_program_saved")
@receiver(post_delete, sender=Program, dispatch_uid="reports_program_deleted")
@receiver(post_save, sender=Cohort, dispatch_uid="reports_cohort_saved")
@receiver(post_delete, sender=Cohort, dispatch_uid="reports_cohort_deleted")
@receiver(post_save, sender=Topic, dispatch_uid="reports_topic_saved")
@receiver(post_delete, sender=Topic, dispatch_uid="reports_topic_deleted")
def _labels_changed(sender, instance, **kwargs):
    labels_changed(instance.organization_id)
