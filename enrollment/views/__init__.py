"""Views of the enrollment app: ``records`` (the student file's « Dossiers sessions /
Inscriptions ») and ``batch`` (« Opérations » and « Inscription en lot »)."""

from enrollment.views.records import *  # noqa: F403
