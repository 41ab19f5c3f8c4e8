from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("runden/neu/", views.round_create, name="round_create"),
    path("runden/<uuid:code>/", views.round_detail, name="round_detail"),
    path("runden/<uuid:code>/einladen/", views.invitation_add, name="invitation_add"),
    path("runden/<uuid:code>/erinnern/", views.round_remind, name="round_remind"),
    path("runden/<uuid:code>/abschliessen/", views.round_close, name="round_close"),
    path("runden/<uuid:code>/ergebnisse/", views.round_results, name="round_results"),
    path("runden/<uuid:code>/ergebnisse.pdf", views.round_results_pdf, name="round_results_pdf"),
    path("runden/<uuid:code>/folgearbeit/", views.follow_up_create, name="follow_up_create"),
    path("vergleich/", views.comparison, name="comparison"),
    path("frageboegen/", views.framework_list, name="framework_list"),
    path("frageboegen/neu/", views.framework_create, name="framework_create"),
    path("frageboegen/<int:pk>/", views.framework_detail, name="framework_detail"),
    path("antworten/<str:token>/", views.answer, name="answer"),
]
