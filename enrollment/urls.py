from django.urls import path

from enrollment import views

urlpatterns = [
    path(
        "etudiants/<int:pk>/dossiers-sessions/",
        views.student_term_records,
        name="student_term_records",
    ),
    path(
        "etudiants/<int:pk>/dossiers-sessions/ajouter/",
        views.term_record_create,
        name="term_record_create",
    ),
    path(
        "dossiers-sessions/<int:record_pk>/modifier/",
        views.term_record_update,
        name="term_record_update",
    ),
    path(
        "dossiers-sessions/<int:record_pk>/copier/",
        views.term_record_copy,
        name="term_record_copy",
    ),
    path(
        "dossiers-sessions/<int:record_pk>/supprimer/",
        views.term_record_delete,
        name="term_record_delete",
    ),
    path(
        "dossiers-sessions/<int:record_pk>/inscriptions/ajouter/",
        views.course_enrollment_create,
        name="course_enrollment_create",
    ),
    path(
        "inscriptions/<int:pk>/modifier/",
        views.course_enrollment_update,
        name="course_enrollment_update",
    ),
    path(
        "inscriptions/<int:pk>/copier/",
        views.course_enrollment_copy,
        name="course_enrollment_copy",
    ),
    path(
        "inscriptions/<int:pk>/supprimer/",
        views.course_enrollment_delete,
        name="course_enrollment_delete",
    ),
]
