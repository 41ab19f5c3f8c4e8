from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.procedure_list, name="procedure_list"),
    path("neu/", views.procedure_create, name="procedure_create"),
    path("statistik/", views.statistics_page, name="statistics"),
    path("statistik/kennzahlen/", views.statistics_overview, name="statistics_overview"),
    path(
        "jugendhilfeausschuss/<slug:slug>/<int:year>/",
        views.committee_report,
        name="committee_report",
    ),
    path(
        "jugendhilfeausschuss/<slug:slug>/<int:year>/pdf/",
        views.committee_report_pdf,
        name="committee_report_pdf",
    ),
    path("abzeichnungen/", views.sign_off_inbox, name="sign_off_inbox"),
    path("uebergaben/", views.handover_intake, name="handover_intake"),
    path("uebergaben/<uuid:code>/", views.handover_detail, name="handover_detail"),
    path("kommune/<slug:slug>/teams/", views.commune_settings, name="commune_settings"),
    path("<uuid:code>/", views.procedure_detail, name="procedure_detail"),
    path("<uuid:code>/schritt/", views.procedure_step, name="procedure_step"),
    path("<uuid:code>/abschliessen/", views.procedure_close, name="procedure_close"),
    path("<uuid:code>/loeschsperre/", views.procedure_legal_hold, name="procedure_legal_hold"),
    path("<uuid:code>/ergaenzung/", views.amendment_add, name="amendment_add"),
    path("<uuid:code>/person/", views.person_add, name="person_add"),
    path("<uuid:code>/kind-zuordnen/", views.procedure_link_child, name="procedure_link_child"),
    path("<uuid:code>/geschwister/", views.procedure_link_sibling, name="procedure_link_sibling"),
    path("<uuid:code>/uebergabe/", views.procedure_hand_over, name="procedure_hand_over"),
    path("<uuid:code>/einschaetzung/", views.assessment_start, name="assessment_start"),
    path(
        "<uuid:code>/person/<uuid:person>/auskunft/",
        views.person_export,
        name="person_export",
    ),
    path("einschaetzung/<uuid:code>/", views.assessment_detail, name="assessment_detail"),
    path(
        "einschaetzung/<uuid:code>/abzeichnen/",
        views.assessment_sign_off,
        name="assessment_sign_off",
    ),
    path(
        "einschaetzung/<uuid:code>/abzeichnung-anfragen/",
        views.assessment_request_sign_off,
        name="assessment_request_sign_off",
    ),
    path(
        "einschaetzung/<uuid:code>/zurueckgeben/",
        views.assessment_return,
        name="assessment_return",
    ),
    path(
        "einschaetzung/<uuid:code>/anfrage-zurueckziehen/",
        views.assessment_withdraw_request,
        name="assessment_withdraw_request",
    ),
]
