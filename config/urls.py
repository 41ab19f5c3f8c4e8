from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import LoginView
from config.api import api
from core import views as core_views
from profiles.views import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("core.urls")),
    path("", include("profiles.urls")),
    path("qualitaet/", include("quality.urls")),
    path("netzwerk/", include("network.urls")),
    path("fruehe-hilfen/", include("directory.urls")),
    path("verfahren/", include("cases.urls")),
    path("lernen/", include("reviews.urls")),
    path("analyse/", include("analytics.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("partner/", include("partners.urls")),
    path("instrumente/", include("instruments.urls")),
    path("standards/", include("standards.urls")),
    path("fortbildungen/", include("trainings.urls")),
    path("rollen/", include("roles.urls")),
    path("anmelden/", LoginView.as_view(), name="login"),
    path("", include("accounts.urls")),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    # Before Django's own: the switch also remembers a signed-in person's mail language.
    path("i18n/setlang/", core_views.language_switch, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("health/", include("operations.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
