from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("start/", views.dashboard, name="dashboard"),
    path("protokoll/", views.audit_log, name="audit_log"),
    path("api-tokens/", views.api_token_list, name="api_token_list"),
    path("api-tokens/<uuid:code>/widerrufen/", views.api_token_delete, name="api_token_delete"),
    path("mitglieder/", views.membership_list, name="membership_list"),
    path(
        "mitglieder/antraege/<uuid:code>/<str:decision>/",
        views.membership_request_decide,
        name="membership_request_decide",
    ),
    path("mitglieder/<int:pk>/entziehen/", views.membership_delete, name="membership_delete"),
]
