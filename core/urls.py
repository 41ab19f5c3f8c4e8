from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("start/", views.dashboard, name="dashboard"),
    path("protokoll/", views.audit_log, name="audit_log"),
]
