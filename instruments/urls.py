from django.urls import path

from instruments import views

app_name = "instruments"

urlpatterns = [
    path("", views.instrument_list, name="instrument_list"),
    path("hochladen/", views.instrument_upload, name="instrument_upload"),
    path("<uuid:code>/", views.instrument_detail, name="instrument_detail"),
    path("version/<uuid:code>/", views.version_detail, name="version_detail"),
    path("version/<uuid:code>/verwerfen/", views.version_discard, name="version_discard"),
    path("vergleich/<uuid:old>/<uuid:new>/", views.version_diff, name="version_diff"),
]
