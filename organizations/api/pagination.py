from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Pages of 50 by default, up to 500; a page size that is not a number is refused
    rather than quietly ignored."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Far beyond any roster; keeps generated URLs (and clients' mistakes) within what the
    # web server accepts in a request line.
    max_page = 1_000_000

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError(
                {"page_size": _("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}}
            )
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page)
        return parameters
