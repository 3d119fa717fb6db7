"""Registrar's own pages, in the ``registrar`` namespace (registrar/urls.py includes them)."""

from django.urls import path

from registrar.views import courses, jobs, shell, students

app_name = "registrar"

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
    path("travaux/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("travaux/<int:pk>/fichier/", jobs.job_file, name="job_file"),
    # Pages outside our base template (the Django admin) get the icon browsers ask for.
    path("favicon.ico", shell.favicon, name="favicon"),
]
