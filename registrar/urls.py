from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from registrar.login import BoundedAdminAuthenticationForm, BoundedAuthenticationForm
from registrar.views import courses, shell, students

# The admin's login goes through the same bounded form as ours (registrar/login.py).
admin.site.login_form = BoundedAdminAuthenticationForm

urlpatterns = [
    path("", shell.home, name="home"),
    path("langue/", shell.set_language, name="set_language"),
    path("session-de-travail/", shell.set_working_term, name="set_working_term"),
    path("etudiants/", students.student_search, name="student_search"),
    path("etudiants/admission-rapide/", students.student_admit, name="student_admit"),
    path("etudiants/<int:pk>/", students.student_file, name="student_file"),
    path("etudiants/<int:pk>/admissions/", students.student_admissions, name="student_admissions"),
    path("etudiants/<int:pk>/historique/", students.student_history, name="student_history"),
    path("cours/", courses.course_search, name="course_search"),
    path("", include("enrollment.urls")),
    path("", include("certification.urls")),
    path(
        "compte/connexion/",
        auth_views.LoginView.as_view(
            authentication_form=BoundedAuthenticationForm, redirect_authenticated_user=True
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
        auth_views.PasswordResetView.as_view(),
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
    # Pages outside our base template (the Django admin) get the icon browsers ask for.
    path("favicon.ico", shell.favicon, name="favicon"),
]
