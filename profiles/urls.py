from django.urls import path

from profiles import views

# Paths are a stable interface (bookmarks, links from other sites): they did not change
# when the pages moved here from the registry.
app_name = "profiles"

urlpatterns = [
    path("kommunen/", views.municipality_list, name="municipality_list"),
    path("kommunen/<slug:slug>/", views.municipality_detail, name="municipality_detail"),
    path("kommunen/<slug:slug>/bearbeiten/", views.municipality_edit, name="municipality_edit"),
    path("kommunen/<slug:slug>/historie/", views.municipality_history, name="municipality_history"),
    path("cluster/", views.cluster_list, name="cluster_list"),
    path("cluster/<int:number>/", views.cluster_detail, name="cluster_detail"),
]
