from django.urls import path

from certification.views import candidates_add, documents, invigilator, sessions

urlpatterns = [
    path("certification/", sessions.session_list, name="certification_session_list"),
    path(
        "certification/sessions/ajouter/",
        sessions.session_create,
        name="certification_session_create",
    ),
    path(
        "certification/sessions/<int:pk>/",
        sessions.session_detail,
        name="certification_session_detail",
    ),
    path(
        "certification/sessions/<int:pk>/modifier/",
        sessions.session_update,
        name="certification_session_update",
    ),
    path(
        "certification/sessions/<int:pk>/supprimer/",
        sessions.session_delete,
        name="certification_session_delete",
    ),
    path(
        "certification/sessions/<int:pk>/candidats/",
        sessions.session_candidates,
        name="certification_session_candidates",
    ),
    path(
        "certification/candidats/<int:pk>/supprimer/",
        sessions.candidate_delete,
        name="certification_candidate_delete",
    ),
    path(
        "certification/sessions/<int:pk>/candidats/ajouter/",
        candidates_add.candidates_add,
        name="certification_candidates_add",
    ),
    path(
        "certification/sessions/<int:pk>/feuille-emargement.pdf",
        documents.attendance_sheet,
        name="certification_attendance_sheet",
    ),
    path(
        "certification/sessions/<int:pk>/candidats.xlsx",
        documents.candidates_xlsx,
        name="certification_candidates_xlsx",
    ),
    path(
        "certification/sessions/<int:pk>/kit-surveillant.pdf",
        documents.invigilator_kit,
        name="certification_invigilator_kit",
    ),
    # The invigilator space: no staff login, the session number and its password.
    path(
        "certification/surveillant/",
        invigilator.invigilator_login,
        name="certification_invigilator_login",
    ),
    path(
        "certification/surveillant/session/",
        invigilator.invigilator_space,
        name="certification_invigilator_space",
    ),
    path(
        "certification/surveillant/candidats/<int:pk>/presence/",
        invigilator.invigilator_check_in,
        name="certification_invigilator_check_in",
    ),
    path(
        "certification/surveillant/quitter/",
        invigilator.invigilator_logout,
        name="certification_invigilator_logout",
    ),
]
