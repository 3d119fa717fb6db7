"""The steps of the online pre-registration (docs/guide/preinscription.md), in their order,
and which of them an applicant has and may change. Written once: the applicant's pages,
the desk's file and the services read them from here."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admissions_sync.models import Applicant, Preregistration

IDENTITY = "identite"
CONTACT = "contact"
ADDRESS = "adresse"
GUARDIANS = "responsables"
BAC = "bac"
SOCIAL_SECURITY = "securite-sociale"
DOCUMENTS = "documents"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    # False: shown from Parcoursup's data, never typed by the applicant (« Signaler une
    # erreur » instead).
    typed: bool = True


STEPS: tuple[Step, ...] = (
    Step(IDENTITY, _("Identité"), typed=False),
    Step(CONTACT, _("Coordonnées")),
    Step(ADDRESS, _("Adresse")),
    Step(GUARDIANS, _("Responsables légaux")),
    Step(BAC, _("Baccalauréat")),
    Step(SOCIAL_SECURITY, _("Sécurité sociale")),
    Step(DOCUMENTS, _("Pièces justificatives")),
)
BY_KEY = {step.key: step for step in STEPS}
# The age of majority: an applicant younger on the day they pre-register names their legal
# guardians.
MAJORITY = 18


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_minor(applicant: Applicant, day: datetime.date | None = None) -> bool:
    day = day or timezone.localdate()
    return age_on(applicant.birth_date, day) < MAJORITY


def steps_for(applicant: Applicant, day: datetime.date | None = None) -> tuple[Step, ...]:
    """The applicant's steps: « Responsables légaux » only for a minor."""
    minor = is_minor(applicant, day)
    return tuple(step for step in STEPS if step.key != GUARDIANS or minor)


def step_of(applicant: Applicant, key: str) -> Step | None:
    """The step ``key`` if the applicant has it (a forged or foreign key: None)."""
    return next((step for step in steps_for(applicant) if step.key == key), None)


def may_change(preregistration: Preregistration | None, key: str) -> bool:
    """Whether the applicant may still change step ``key``: while a draft, every step;
    once submitted, none; sent back by the desk, the steps it reopened."""
    if preregistration is None or preregistration.status == Preregistration.Status.DRAFT:
        return True
    if preregistration.status == Preregistration.Status.RETURNED:
        return key in (preregistration.open_steps or [])
    return False


def answers_of(preregistration: Preregistration | None, key: str) -> dict:
    """What the applicant saved at step ``key`` ({} if nothing yet)."""
    if preregistration is None:
        return {}
    value = (preregistration.answers or {}).get(key)
    return value if isinstance(value, dict) else {}
