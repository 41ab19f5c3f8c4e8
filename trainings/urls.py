from django.urls import path

from trainings import views

app_name = "trainings"

urlpatterns = [
    path("", views.training_list, name="training_list"),
    path("kommune/<slug:slug>/neu/", views.training_create, name="training_create"),
    path("kommune/<slug:slug>/abdeckung/", views.coverage, name="coverage"),
    path(
        "kommune/<slug:slug>/einrichtung/<int:pk>/",
        views.institution_record,
        name="institution_record",
    ),
    path("<uuid:code>/", views.training_detail, name="training_detail"),
    path("<uuid:code>/bearbeiten/", views.training_edit, name="training_edit"),
    path("<uuid:code>/teilnahmen/", views.participation_add, name="participation_add"),
    path(
        "teilnahmen/<uuid:code>/entfernen/",
        views.participation_remove,
        name="participation_remove",
    ),
    path("teilnahmen/<uuid:code>/bescheinigung.pdf", views.certificate, name="certificate"),
]
