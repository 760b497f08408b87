"""Program managers' views of the pairs' activity and the mentor support circles."""

app_name = "mentoring_manager"

urlpatterns = []
