from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.process_map, name="process_map"),
    path("prozesslandkarte.dot", views.process_map_dot, name="process_map_dot"),
    path("varianten/", views.variant_list, name="variant_list"),
    path("fristen/", views.compliance_dashboard, name="compliance_dashboard"),
    path("fristen/regeln/", views.compliance_rule_list, name="compliance_rule_list"),
    path("fristen/regeln/neu/", views.compliance_rule_edit, name="compliance_rule_create"),
    path("fristen/regeln/<int:pk>/", views.compliance_rule_edit, name="compliance_rule_edit"),
    path(
        "fristen/regeln/<int:pk>/loeschen/",
        views.compliance_rule_delete,
        name="compliance_rule_delete",
    ),
    path("schnittstellen/", views.handover_matrix, name="handover_matrix"),
    path("vergleich/", views.comparison, name="comparison"),
    path("export/<str:fmt>/", views.export, name="export"),
    path("protokolle/", views.upload_list, name="upload_list"),
    path("protokolle/<uuid:code>/", views.upload_detail, name="upload_detail"),
    path("protokolle/<uuid:code>/loeschen/", views.upload_delete, name="upload_delete"),
]
