"""The student file's left menu: « Sommaire », « Admission », then each app's sections.

An app adds a section of the file from its ``AppConfig.ready()``; a section appears when its
URL is routed and the user may open it, never as a dead link. Its view renders with
``registrar.views.students.file_context`` so that the file's header and menu stay one.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class FileSection:
    key: str
    label: str | Promise
    url_name: str  # takes the student's ``pk``
    permission: str
    order: int = 100  # the guide's order, smallest first


_sections: dict[str, FileSection] = {}


def register(*sections: FileSection) -> None:
    """Add sections of the student file; a key registered again replaces its section."""
    for section in sections:
        _sections[section.key] = section


def registered() -> list[FileSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def file_menu(user, student_pk: int, active: str) -> list[dict]:
    """The sections ``user`` may open, with their URLs for this student."""
    menu = []
    for section in registered():
        if not user.has_perm(section.permission):
            continue
        try:
            url = reverse(section.url_name, kwargs={"pk": student_pk})
        except NoReverseMatch:
            continue
        menu.append({"section": section, "url": url, "active": section.key == active})
    return menu
