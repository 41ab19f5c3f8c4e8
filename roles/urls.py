from django.urls import path

from roles import views

app_name = "roles"

urlpatterns = [
    path("<slug:slug>/", views.role_list, name="role_list"),
    path("<slug:slug>/neu/", views.entity_create, {"kind": "role"}, name="role_create"),
    path("<slug:slug>/<int:pk>/bearbeiten/", views.entity_edit, {"kind": "role"}, name="role_edit"),
    path("<slug:slug>/organigramm.<str:fmt>", views.organigram_export, name="organigram_export"),
    path("<slug:slug>/erreichbarkeit/", views.availability, name="availability"),
    path(
        "<slug:slug>/erreichbarkeit/neu/", views.entity_create, {"kind": "slot"}, name="slot_create"
    ),
    path(
        "<slug:slug>/erreichbarkeit/<int:pk>/bearbeiten/",
        views.entity_edit,
        {"kind": "slot"},
        name="slot_edit",
    ),
    path("<slug:slug>/krisenweg/neu/", views.entity_create, {"kind": "step"}, name="step_create"),
    path(
        "<slug:slug>/krisenweg/<int:pk>/bearbeiten/",
        views.entity_edit,
        {"kind": "step"},
        name="step_edit",
    ),
]
