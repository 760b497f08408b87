from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from directory import services
from directory.csv_format import COLUMNS, TEMPLATE_ROWS
from directory.demographics import (
    demographics_record,
    demographics_withdraw,
    employee_for_user,
)
from directory.forms import DemographicsForm, UploadForm
from directory.models import DirectoryImport, Employee, EmployeeDemographics
from directory.selectors import (
    EmployeeFilter,
    directory_import_list,
    employee_direct_reports,
    employee_list,
    employee_reporting_line,
)
from organizations.audit import client_ip
from organizations.decorators import permission_required
from organizations.http import post_only, posted, run_on_form, run_reporting
from organizations.permissions import has_permission
from organizations.spreadsheet import csv_response
from organizations.tenancy import tenant_context

EMPLOYEES_PER_PAGE = 50


@permission_required("directory.view")
def directory(request, org_slug):
    filters = EmployeeFilter(
        request.GET or None,
        queryset=employee_list(organization=request.organization),
        organization=request.organization,
    )
    page = Paginator(filters.qs, EMPLOYEES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "can_manage": has_permission(request.membership, "directory.manage"),
    }
    if request.htmx:
        return render(request, "directory/partials/_employee_table.html", context)
    return render(request, "directory/directory.html", context)


@permission_required("directory.manage")
def directory_export(request, org_slug):
    """What the filter shows, as a file the import takes back."""
    filters = EmployeeFilter(
        request.GET or None,
        queryset=employee_list(organization=request.organization).select_related("manager"),
        organization=request.organization,
    )

    organization = request.organization

    def rows():
        # A streamed body is produced after the middleware has left the organisation,
        # so the generator enters it again (on PostgreSQL it would otherwise read nothing).
        with tenant_context(organization=organization):
            for employee in filters.qs.iterator(chunk_size=2000):
                yield _export_row(employee)

    return csv_response(
        filename=f"{organization.slug}-directory.csv", header=COLUMNS, rows=rows(), streaming=True
    )


def _export_row(employee: Employee) -> list:
    """The employee as a row of the HR file, in the order of COLUMNS."""
    department = employee.department
    return [
        employee.employee_number,
        employee.email,
        employee.name,
        department.name if department else "",
        department.parent.name if department and department.parent else "",
        employee.job_title,
        employee.job_level if employee.job_level is not None else "",
        employee.manager.employee_number if employee.manager else "",
        employee.hire_date or "",
        employee.termination_date or "",
        employee.location,
        employee.time_zone,
        employee.birth_year or "",
    ]


@permission_required("directory.view")
def employee_detail(request, org_slug, employee_id):
    employee = get_object_or_404(
        Employee.objects.select_related("department__parent"),
        pk=employee_id,
        organization=request.organization,
    )
    may_see_demographics = has_permission(request.membership, "demographics.view")
    return render(
        request,
        "directory/employee_detail.html",
        {
            "employee": employee,
            "reporting_line": employee_reporting_line(employee),
            "direct_reports": employee_direct_reports(employee),
            "demographics": _demographics_of(employee) if may_see_demographics else None,
            "may_see_demographics": may_see_demographics,
        },
    )


def _demographics_of(employee: Employee):
    return EmployeeDemographics.objects.filter(employee=employee).first()


@permission_required("organization.view")
def my_profile(request, org_slug):
    """A member's own directory entry and their voluntary demographic answers."""
    employee = employee_for_user(organization=request.organization, user=request.user)
    existing = getattr(employee, "demographics", None) if employee else None
    form = DemographicsForm(posted(request), instance=existing)
    if employee and request.method == "POST":
        if request.POST.get("action") == "withdraw":
            demographics_withdraw(organization=request.organization, employee=employee)
            messages.success(request, _("Your answers were deleted."))
            return redirect("directory:my_profile", org_slug=org_slug)
        if form.is_valid():
            demographics_record(
                organization=request.organization, employee=employee, answers=form.cleaned_data
            )
            messages.success(request, _("Your answers were saved."))
            return redirect("directory:my_profile", org_slug=org_slug)
    context = {"employee": employee, "form": form, "demographics": existing}
    return render(request, "directory/my_profile.html", context)


@permission_required("directory.manage")
def import_page(request, org_slug):
    form = UploadForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        done, record = run_on_form(
            form,
            lambda: services.directory_import_start(
                organization=request.organization,
                actor=request.user,
                upload=form.cleaned_data["file"],
                ip_address=client_ip(request),
            ),
            field="file",
        )
        if done:
            return redirect("directory:import_detail", org_slug=org_slug, import_id=record.pk)
    imports = directory_import_list(organization=request.organization)[:20]
    return render(request, "directory/import.html", {"form": form, "imports": imports})


@permission_required("directory.manage")
def import_template(request, org_slug):
    return csv_response(
        filename="upturn-directory-template.csv", header=COLUMNS, rows=TEMPLATE_ROWS
    )


@permission_required("directory.manage")
def import_detail(request, org_slug, import_id):
    """The preview, then the outcome; while a task works on it, HTMX polls the partial."""
    record = get_object_or_404(DirectoryImport, pk=import_id, organization=request.organization)
    context = {
        "record": record,
        "progress": services.directory_import_progress(record),
        "stuck": services.directory_import_is_stuck(record),
    }
    if request.htmx:
        return render(request, "directory/partials/_import_status.html", context)
    return render(request, "directory/import_detail.html", context)


@permission_required("directory.manage")
def import_apply(request, org_slug, import_id):
    record = get_object_or_404(DirectoryImport, pk=import_id, organization=request.organization)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.directory_import_request_apply(
            organization=request.organization,
            actor=request.user,
            directory_import=record,
            valid_rows_only=request.POST.get("valid_rows_only") == "1",
            ip_address=client_ip(request),
        ),
        None,  # the page it returns to shows the progress, then the outcome
    )
    return redirect("directory:import_detail", org_slug=org_slug, import_id=record.pk)


@permission_required("directory.manage")
def import_discard(request, org_slug, import_id):
    record = get_object_or_404(DirectoryImport, pk=import_id, organization=request.organization)
    if request.method != "POST":
        return post_only()
    discarded = run_reporting(
        request,
        lambda: services.directory_import_discard(
            organization=request.organization,
            actor=request.user,
            directory_import=record,
            ip_address=client_ip(request),
        ),
        _("The import was discarded; nothing was changed."),
    )
    if not discarded:
        return redirect("directory:import_detail", org_slug=org_slug, import_id=record.pk)
    return redirect("directory:import_page", org_slug=org_slug)
