from django.urls import path

from enrollment import views
from enrollment.views import batch

# Under /inscriptions/ (enrollment/plugin.py, which also lists the former paths).
app_name = "enrollment"

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
        "dossiers-sessions/<int:record_pk>/inscriptions/rac/",
        views.course_enrollment_rac,
        name="course_enrollment_rac",
    ),
    path(
        "<int:pk>/modifier/",
        views.course_enrollment_update,
        name="course_enrollment_update",
    ),
    path(
        "<int:pk>/copier/",
        views.course_enrollment_copy,
        name="course_enrollment_copy",
    ),
    path(
        "<int:pk>/supprimer/",
        views.course_enrollment_delete,
        name="course_enrollment_delete",
    ),
    path("grille-rac/", views.rac_grid, name="rac_grid"),
    # « Opérations » and « Inscription en lot »
    path("operations/", batch.operation_list, name="operation_list"),
    path("operations/inscription-en-lot/", batch.batch_create, name="batch_create"),
    path("operations/<int:pk>/", batch.batch_detail, name="batch_detail"),
    path("operations/<int:pk>/modifier/", batch.batch_update, name="batch_update"),
    path("operations/<int:pk>/supprimer/", batch.batch_delete, name="batch_delete"),
    path("operations/<int:pk>/selection/", batch.batch_selection, name="batch_selection"),
    path(
        "operations/<int:pk>/selection/ajouter/",
        batch.batch_selection_add,
        name="batch_selection_add",
    ),
    path(
        "operations/<int:pk>/selection/saisie-manuelle/",
        batch.batch_selection_paste,
        name="batch_selection_paste",
    ),
    path("operations/<int:pk>/executer/", batch.batch_execute, name="batch_execute"),
    path("operations/<int:pk>/annuler/", batch.batch_undo, name="batch_undo"),
    path("operations/rapports/<int:pk>/", batch.batch_report, name="batch_report"),
    path(
        "operations/rapports/<int:pk>/rapport.xlsx",
        batch.batch_report_xlsx,
        name="batch_report_xlsx",
    ),
    path("operations/rapports/<int:pk>/pdf/", batch.batch_report_pdf, name="batch_report_pdf"),
]
