from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    # Login steps (open before the second factor, see accounts.middleware.ALWAYS_OPEN).
    path("anmelden/zweiter-faktor/", views.verify, name="verify"),
    path("anmelden/passkey/optionen/", views.passkey_auth_options, name="passkey_auth_options"),
    path("anmelden/passkey/", views.passkey_auth, name="passkey_auth"),
    path("anmelden/passwort-vergessen/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "anmelden/passwort-vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "anmelden/passwort-neu/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "anmelden/passwort-neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    # The personal security page.
    path("konto/sicherheit/", views.security, name="security"),
    path("konto/sicherheit/neu/", views.totp_setup, name="enrol"),
    path(
        "konto/sicherheit/neu/passkey/optionen/",
        views.passkey_register_options,
        name="passkey_register_options",
    ),
    path("konto/sicherheit/neu/passkey/", views.passkey_register, name="passkey_register"),
    path("konto/sicherheit/wiederherstellungscodes/", views.recovery_codes, name="recovery_codes"),
    path(
        "konto/sicherheit/<str:kind>/<int:pk>/entfernen/",
        views.device_delete,
        name="device_delete",
    ),
    path("konto/passwort/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "konto/passwort/geaendert/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
