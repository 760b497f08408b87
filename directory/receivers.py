"""Linking a person's two records as either appears (directory.links)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from directory.links import employees_link_members
from directory.models import Employee
from organizations.models import Membership


@receiver(post_save, sender=Membership, dispatch_uid="directory_link_new_member")
def link_new_member(sender, instance: Membership, created: bool, raw=False, **kwargs) -> None:
    if created and not raw:
        employees_link_members(organization=instance.organization_id, membership_ids=[instance.pk])


@receiver(post_save, sender=Employee, dispatch_uid="directory_link_employee")
def link_employee(sender, instance: Employee, raw=False, **kwargs) -> None:
    if raw or instance.member_id is not None or not instance.email:
        return
    linked = employees_link_members(
        organization=instance.organization_id, employee_ids=[instance.pk]
    )
    if linked:
        instance.refresh_from_db(fields=["member"])  # a later save() must keep the link
