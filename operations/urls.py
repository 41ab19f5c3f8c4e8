from django.urls import path

from operations import health

app_name = "operations"

urlpatterns = [
    path("live", health.live, name="health_live"),
    path("ready", health.ready, name="health_ready"),
]
