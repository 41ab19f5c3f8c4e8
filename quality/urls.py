from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("ergebnisse/", views.board, name="board"),
    path("ergebnisse/neu/", views.outcome_create, name="outcome_create"),
    path("ergebnisse/export.<str:fmt>", views.outcome_export, name="outcome_export"),
    path("ergebnisse/<int:pk>/", views.outcome_detail, name="outcome_detail"),
    path("ergebnisse/<int:pk>/status/", views.outcome_transition, name="outcome_transition"),
    path("ergebnisse/<int:pk>/nachweise/", views.evidence_add, name="evidence_add"),
    path("nachweise/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("nachweise/<int:pk>/entfernen/", views.evidence_delete, name="evidence_delete"),
    path("werkstaetten/", views.workshop_list, name="workshop_list"),
    path("werkstaetten/<int:pk>/", views.workshop_detail, name="workshop_detail"),
    path(
        "werkstaetten/<int:pk>/teilnahme/",
        views.workshop_participation,
        name="workshop_participation",
    ),
    path(
        "werkstaetten/<int:pk>/teilnahme.<str:fmt>",
        views.attendance_export,
        name="attendance_export",
    ),
    path("werkstaetten/<int:pk>/kontingente/", views.workshop_quotas, name="workshop_quotas"),
    path("einladung/<uuid:token>/", views.invitation_respond, name="invitation_respond"),
    path("termine/<int:pk>/", views.session_detail, name="session_detail"),
    path("termine/<int:pk>/aendern/", views.session_edit, name="session_edit"),
    path("termine/<int:pk>/absagen/", views.session_cancel, name="session_cancel"),
    path("termine/<int:pk>/niederschrift/", views.session_minutes, name="session_minutes"),
    path("termine/<int:pk>/tagesordnung/", views.session_agenda_add, name="session_agenda_add"),
    path(
        "termine/<int:pk>/tagesordnung/<int:item_pk>/entfernen/",
        views.session_agenda_delete,
        name="session_agenda_delete",
    ),
    path("termine/<int:pk>/einladen/", views.session_invite, name="session_invite"),
    path(
        "termine/<int:pk>/anmeldungen/<int:registration_pk>/anmelden/",
        views.session_register_invited,
        name="session_register_invited",
    ),
    path(
        "termine/<int:pk>/anmeldungen/<int:registration_pk>/abmelden/",
        views.session_cancel_registration,
        name="session_cancel_registration",
    ),
    path("termine/<int:pk>/anwesenheit/", views.session_attendance, name="session_attendance"),
    path("termine/<int:pk>/anmelden/", views.session_signup, name="session_signup"),
    path("termine/<int:pk>/abmelden/", views.session_withdraw, name="session_withdraw"),
    path("termine/<int:pk>/protokoll/", views.session_protocol, name="session_protocol"),
    path("kalender/werkstatt/<uuid:token>.ics", views.workshop_ical, name="workshop_ical"),
    path("kalender/person/<uuid:token>.ics", views.person_ical, name="person_ical"),
    path("suche/", views.search_view, name="search"),
    path("aehnlich/<str:kind>/<int:pk>/", views.item_similar, name="item_similar"),
]
