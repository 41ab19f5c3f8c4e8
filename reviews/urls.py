from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    # Public: the near-miss form of each commune, the receipt, the library.
    path("melden/", views.incident_start, name="incident_start"),
    path("melden/<slug:slug>/", views.incident_report_create, name="incident_report_create"),
    path("antwort/", views.incident_answer, name="incident_answer"),
    path("bibliothek/", views.library, name="library"),
    path("haeufigste-fehler/", views.frequencies, name="frequencies"),
    path("haeufigste-fehler.csv", views.frequencies_csv, name="frequencies_csv"),
    # Login: case reviews, moderation, taxonomy.
    path("fallanalysen/", views.review_list, name="review_list"),
    path("fallanalysen/neu/", views.review_create, name="review_create"),
    path("fallanalysen/<uuid:code>/", views.review_detail, name="review_detail"),
    path("fallanalysen/<uuid:code>/bearbeiten/", views.review_edit, name="review_edit"),
    path(
        "fallanalysen/<uuid:code>/loeschsperre/", views.review_legal_hold, name="review_legal_hold"
    ),
    path("fallanalysen/<uuid:code>/episoden/", views.episode_create, name="episode_create"),
    path(
        "fallanalysen/<uuid:code>/episoden/<int:pk>/",
        views.episode_edit,
        name="episode_edit",
    ),
    path("fallanalysen/<uuid:code>/import/", views.episode_import, name="episode_import"),
    path("fallanalysen/<uuid:code>/befunde/", views.finding_create, name="finding_create"),
    path(
        "fallanalysen/<uuid:code>/befunde/<int:pk>/veroeffentlichen/",
        views.finding_publish,
        name="finding_publish",
    ),
    path(
        "fallanalysen/<uuid:code>/empfehlungen/",
        views.recommendation_create,
        name="recommendation_create",
    ),
    path(
        "fallanalysen/<uuid:code>/empfehlungen/<int:pk>/massnahme/",
        views.recommendation_to_outcome,
        name="recommendation_to_outcome",
    ),
    path("fallanalysen/<uuid:code>/bericht/", views.review_report, name="review_report"),
    path("fallanalysen/<uuid:code>/bericht.pdf", views.review_report_pdf, name="review_report_pdf"),
    path("meldungen/", views.incident_queue, name="incident_queue"),
    path("meldungen/<uuid:code>/", views.incident_moderate, name="incident_moderate"),
    path("kategorien/", views.category_list, name="category_list"),
]
