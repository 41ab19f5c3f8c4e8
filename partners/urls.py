from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("neu/", views.record_create, name="record_create"),
    path("vorgang/<uuid:code>/", views.record_detail, name="record_detail"),
    path("vorgang/<uuid:code>/abzeichnen/", views.record_sign_off, name="record_sign_off"),
    path("vorgang/<uuid:code>/beratung/", views.consultation_request, name="consultation_request"),
    path("vorgang/<uuid:code>/mitteilung/", views.message_create, name="message_create"),
    path("mitarbeitende/", views.staff_list, name="staff_list"),
    path("mitarbeitende/<int:pk>/entfernen/", views.staff_remove, name="staff_remove"),
    path("einladung/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("beratungen/", views.consultation_list, name="consultation_list"),
    path("beratungen/<uuid:code>/", views.consultation_detail, name="consultation_detail"),
    path(
        "beratungen/<uuid:code>/antwort/", views.consultation_respond, name="consultation_respond"
    ),
    path("beratungen/<uuid:code>/ergebnis/", views.consultation_result, name="consultation_result"),
    path("eingang/", views.intake, name="intake"),
    path("eingang/<uuid:code>/", views.intake_detail, name="intake_detail"),
    path("eingang/<uuid:code>/bestaetigen/", views.intake_acknowledge, name="intake_acknowledge"),
    path("eingang/<uuid:code>/einbeziehung/", views.intake_involvement, name="intake_involvement"),
    path("eingang/<uuid:code>/rueckmeldung/", views.intake_feedback, name="intake_feedback"),
    path("pool/", views.pool_list, name="pool_list"),
    path("netzwerk/", views.network_view, name="network"),
    path("pool/<uuid:code>/verfuegbarkeit/", views.pool_toggle, name="pool_toggle"),
    path("pool/<uuid:code>/bearbeiten/", views.pool_edit, name="pool_edit"),
    path("regeln/", views.rules, name="rules"),
    path("regeln/<slug:slug>/", views.rules_settings, name="rules_settings"),
    path(
        "regeln/<slug:slug>/vereinbarung/<int:pk>/",
        views.agreement_terms_edit,
        name="agreement_terms_edit",
    ),
    path(
        "regeln/<slug:slug>/vereinbarung/<int:pk>/entfernen/",
        views.agreement_terms_delete,
        name="agreement_terms_delete",
    ),
]
