from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from registrar import navigation, plugins
from registrar.login import (
    BoundedAdminAuthenticationForm,
    BoundedAuthenticationForm,
    RecordedPasswordResetForm,
)
from registrar.views import health

# Faults of the platform (database unreachable, disk full) answer their own pages.
handler500 = "registrar.views.errors.server_error"

# The admin's login goes through the same bounded form as ours (registrar/login.py).
admin.site.login_form = BoundedAdminAuthenticationForm

# The shell's pages, then every installed app's under its own prefix and namespace
# (registrar/plugins.py), then the accounts' pages (Django's names, without a namespace).
urlpatterns = [
    # For the load balancer (registrar/views/health.py): outside any namespace, stable.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("registrar.routes")),
    *plugins.url_patterns(),
    path(
        "compte/connexion/",
        auth_views.LoginView.as_view(
            authentication_form=BoundedAuthenticationForm,
            redirect_authenticated_user=True,
            # Called by the template: the doors of apps for people without an account.
            extra_context={"public_entries": navigation.public_entries},
        ),
        name="login",
    ),
    path("compte/deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "compte/mot-de-passe/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "compte/mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "compte/mot-de-passe-oublie/",
        # The reset e-mail is sent and recorded by registrar.services.mail.
        auth_views.PasswordResetView.as_view(form_class=RecordedPasswordResetForm),
        name="password_reset",
    ),
    path(
        "compte/mot-de-passe-oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "compte/reinitialisation/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "compte/reinitialisation/terminee/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
]
