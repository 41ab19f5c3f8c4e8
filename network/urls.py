from django.urls import path

from network import views

app_name = "network"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("cluster/<int:number>/luecken/", views.cluster_gaps, name="cluster_gaps"),
    path("<slug:slug>/", views.municipality_network, name="municipality_network"),
    path("<slug:slug>/einrichtungen/neu/", views.institution_create, name="institution_create"),
    path(
        "<slug:slug>/einrichtungen/<int:pk>/bearbeiten/",
        views.institution_edit,
        name="institution_edit",
    ),
    path("<slug:slug>/ansprechpersonen/", views.contact_list, name="contact_list"),
    path("<slug:slug>/ansprechpersonen/neu/", views.contact_create, name="contact_create"),
    path(
        "<slug:slug>/ansprechpersonen/<int:pk>/bearbeiten/",
        views.contact_edit,
        name="contact_edit",
    ),
    path("<slug:slug>/vereinbarungen/neu/", views.agreement_create, name="agreement_create"),
    path(
        "<slug:slug>/vereinbarungen/<int:pk>/bearbeiten/",
        views.agreement_edit,
        name="agreement_edit",
    ),
    path(
        "<slug:slug>/vereinbarungen/<int:pk>/dokument/",
        views.agreement_document,
        name="agreement_document",
    ),
    path("<slug:slug>/arbeitskreise/neu/", views.working_group_create, name="working_group_create"),
    path("<slug:slug>/karte/", views.network_map, name="network_map"),
    path("<slug:slug>/export.<str:fmt>", views.network_export, name="network_export"),
]
