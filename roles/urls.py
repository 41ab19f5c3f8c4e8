from django.urls import path

from roles import views

app_name = "roles"

urlpatterns = [
    path("<slug:slug>/", views.role_list, name="role_list"),
    path("<slug:slug>/neu/", views.role_create, name="role_create"),
    path("<slug:slug>/<int:pk>/bearbeiten/", views.role_edit, name="role_edit"),
    path("<slug:slug>/organigramm.<str:fmt>", views.organigram_export, name="organigram_export"),
    path("<slug:slug>/erreichbarkeit/", views.availability, name="availability"),
    path("<slug:slug>/erreichbarkeit/neu/", views.slot_create, name="slot_create"),
    path("<slug:slug>/erreichbarkeit/<int:pk>/bearbeiten/", views.slot_edit, name="slot_edit"),
    path("<slug:slug>/krisenweg/neu/", views.step_create, name="step_create"),
    path("<slug:slug>/krisenweg/<int:pk>/bearbeiten/", views.step_edit, name="step_edit"),
]
