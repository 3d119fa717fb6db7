from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from registrar.views import courses, shell, students

urlpatterns = [
    path("", shell.home, name="home"),
    path("langue/", shell.set_language, name="set_language"),
    path("session-de-travail/", shell.set_working_term, name="set_working_term"),
    path("etudiants/", students.student_search, name="student_search"),
    path("etudiants/<int:pk>/", students.student_file, name="student_file"),
    path("etudiants/<int:pk>/admissions/", students.student_admissions, name="student_admissions"),
    path("cours/", courses.course_search, name="course_search"),
    path(
        "compte/connexion/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("compte/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
