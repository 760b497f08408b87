from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from organizations.api import views
from reports import api as reports_api
from surveys import api as surveys_api

urlpatterns = [
    path("employees/", views.EmployeeList.as_view(), name="api_employee_list"),
    path(
        "employees/bulk-upsert/",
        views.EmployeeBulkUpsert.as_view(),
        name="api_employee_bulk_upsert",
    ),
    path("employees/<int:pk>/", views.EmployeeDetail.as_view(), name="api_employee_detail"),
    path("departments/", views.DepartmentList.as_view(), name="api_department_list"),
    path("members/", views.MemberList.as_view(), name="api_member_list"),
    path("members/<int:pk>/", views.MemberDetail.as_view(), name="api_member_detail"),
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
