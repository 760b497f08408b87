"""The API's root router: each app's endpoints under /api/v1/, the schema and docs."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from directory import api as directory_api
from organizations.api import views as organizations_api
from reports import api as reports_api
from surveys import api as surveys_api

urlpatterns = [
    path("employees/", directory_api.EmployeeList.as_view(), name="api_employee_list"),
    path(
        "employees/bulk-upsert/",
        directory_api.EmployeeBulkUpsert.as_view(),
        name="api_employee_bulk_upsert",
    ),
    path("employees/<int:pk>/", directory_api.EmployeeDetail.as_view(), name="api_employee_detail"),
    path("departments/", directory_api.DepartmentList.as_view(), name="api_department_list"),
    path("members/", organizations_api.MemberList.as_view(), name="api_member_list"),
    path("members/<int:pk>/", organizations_api.MemberDetail.as_view(), name="api_member_detail"),
    path("surveys/", surveys_api.SurveyList.as_view(), name="api_survey_list"),
    path(
        "surveys/<int:survey_id>/results/",
        surveys_api.SurveyResultsDetail.as_view(),
        name="api_survey_results",
    ),
    path("reports/kpis/", reports_api.KpiTrendList.as_view(), name="api_report_kpis"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "docs/",
        # The split view serves Swagger UI's start-up script as a request of its own
        # (?script): the content security policy allows no inline script. Swagger UI's
        # stylesheet draws its icons (copy, expand, select arrows) as data: images, so
        # this page alone allows those; they are images, which run nothing.
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api_schema", template_name="api/docs.html"
            )
        ),
        name="api_docs",
    ),
]
