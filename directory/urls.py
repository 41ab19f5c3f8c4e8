from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("druck/", views.service_print, name="service_print"),
    path("export.<str:fmt>", views.service_export, name="service_export"),
    path("zu-bestaetigen/", views.stale_list, name="stale_list"),
    path("import/", views.service_import, name="service_import"),
    path("neu/<slug:slug>/", views.service_create, name="service_create"),
    path("angebote/<uuid:code>/", views.service_detail, name="service_detail"),
    path("angebote/<uuid:code>/bearbeiten/", views.service_edit, name="service_edit"),
    path("angebote/<uuid:code>/hsds.json", views.service_hsds, name="service_hsds"),
    path("angebote/<uuid:code>/bestaetigen/", views.service_confirm, name="service_confirm"),
    path("angebote/<uuid:code>/wirkung/", views.service_indicator, name="service_indicator"),
    path("bestaetigen/<uuid:token>/", views.service_confirm_link, name="service_confirm_link"),
]
