from django.urls import path

from standards import views

app_name = "standards"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("glossar/", views.glossary, name="glossary"),
    path("glossar/<int:pk>/bearbeiten/", views.glossary_term_edit, name="glossary_term_edit"),
    path("kommune/<slug:slug>/neu/", views.document_create, name="document_create"),
    path(
        "kommune/<slug:slug>/glossar/neu/", views.glossary_term_create, name="glossary_term_create"
    ),
    path("<uuid:code>/", views.document_detail, name="document_detail"),
    path("<uuid:code>/bearbeiten/", views.document_edit, name="document_edit"),
    path("<uuid:code>/status/", views.document_transition, name="document_transition"),
    path("<uuid:code>/versionen/neu/", views.version_create, name="version_create"),
    path("<uuid:code>/versionen/<int:number>/", views.version_detail, name="version_detail"),
    path("<uuid:code>/versionen/<int:number>/datei/", views.version_file, name="version_file"),
    path("<uuid:code>/vergleich/", views.version_compare, name="version_compare"),
]
