"""Each person's notifications and their settings."""

app_name = "notifications"

urlpatterns = []
