from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.procedure_list, name="procedure_list"),
    path("neu/", views.procedure_create, name="procedure_create"),
    path("statistik/", views.statistics_page, name="statistics"),
    path("kommune/<slug:slug>/teams/", views.commune_settings, name="commune_settings"),
    path("<uuid:code>/", views.procedure_detail, name="procedure_detail"),
    path("<uuid:code>/schritt/", views.procedure_step, name="procedure_step"),
    path("<uuid:code>/abschliessen/", views.procedure_close, name="procedure_close"),
    path("<uuid:code>/ergaenzung/", views.amendment_add, name="amendment_add"),
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
]
