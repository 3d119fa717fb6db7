"""Certification centres, their sessions and candidates (Pix Certif's « Ajouter des candidats
à une session » and the rest of a session's life).

A session's status is derived from facts (a check-in, the finalization, the results sent),
never typed. Staff see only the sessions of the centres they belong to; the selectors
enforce it, every view goes through them.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registrar.models import Student
from registrar.text import fold

EXTRA_TIME_RANGE = _("Le temps majoré est un pourcentage entier de 0 à 99.")
TIME_ZONE_UNKNOWN = _("« %(value)s » n'est pas un fuseau horaire (ex. Europe/Paris).")


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(TIME_ZONE_UNKNOWN, params={"value": value}) from None


class CertificationCenter(models.Model):
    class Type(models.TextChoices):
        SCO = "SCO", _("SCO — établissement scolaire")
        SUP = "SUP", _("SUP — enseignement supérieur")
        PRO = "PRO", _("PRO — organisme professionnel")

    name = models.CharField(_("nom"), max_length=120)
    type = models.CharField(_("type"), max_length=3, choices=Type.choices)
    external_id = models.CharField(
        _("identifiant externe"),
        max_length=30,
        blank=True,
        help_text=_("L'identifiant du centre chez l'organisme certificateur (ex. UAI)."),
    )
    # Sessions start at their local time in the centre's time zone.
    time_zone = models.CharField(
        _("fuseau horaire"),
        max_length=50,
        default="Europe/Paris",
        validators=[validate_time_zone],
    )
    # A SCO centre's pupils are the active students, with a class, admitted to one of its
    # schools' org units (certification.selectors.pupils_of); see docs/decisions/0004.
    org_units = models.ManyToManyField(
        "registrar.OrgUnit",
        verbose_name=_("établissements (unités organisationnelles)"),
        related_name="certification_centers",
        blank=True,
        help_text=_(
            "Centre SCO : les unités organisationnelles de son ou ses établissements. Ses "
            "élèves sont les étudiants actifs, avec une classe, dont une admission « Admis » "
            "ou « Actif dans la démarche » est dans l'une d'elles ; sans unité, le centre "
            "n'a aucun élève à ajouter. Sans effet pour un centre SUP ou PRO."
        ),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personnel"),
        through="CenterMembership",
        related_name="certification_centers",
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("centre de certification")
        verbose_name_plural = _("centres de certification")
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="certification_certificationcenter_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_school(self) -> bool:
        """A SCO centre (a school) adds its candidates from the list of its own pupils: the
        active students with a class admitted to one of its ``org_units``
        (certification.selectors.pupils_of) — no other student of the institution, and none
        at all while no org unit is linked. SUP and PRO centres type in or import theirs."""
        return self.type == self.Type.SCO


class CenterMembership(models.Model):
    """A staff member of a certification centre: they see its sessions and no other's."""

    center = models.ForeignKey(
        CertificationCenter,
        verbose_name=_("centre"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="center_memberships",
    )

    class Meta:
        verbose_name = _("membre du personnel du centre")
        verbose_name_plural = _("personnel des centres")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "user"], name="certification_centermembership_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.center}"


class CertificationSession(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Créée")
        IN_PROGRESS = "in_progress", _("En cours")
        FINALIZED = "finalized", _("Finalisée")
        RESULTS_SENT = "results_sent", _("Résultats transmis")

    center = models.ForeignKey(
        CertificationCenter,
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    number = models.PositiveIntegerField(_("n° de session"), unique=True, editable=False)
    name = models.CharField(_("nom de la session"), max_length=120)
    site = models.CharField(_("nom du site"), max_length=120)
    room = models.CharField(_("nom de la salle"), max_length=120)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("heure de début (heure locale)"))
    invigilators = models.CharField(_("surveillant(s)"), max_length=200)
    observations = models.TextField(_("observations"), blank=True, max_length=2000)
    # Generated: 4 letters without the ambiguous ones and 2 digits; the invigilator's
    # password for the invigilator space (no staff login).
    access_code = models.CharField(_("code d'accès candidat"), max_length=6, unique=True)
    invigilator_password = models.CharField(_("mot de passe surveillant"), max_length=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # Finalization (after the session) and results.
    finalized_at = models.DateTimeField(_("finalisée le"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalisée par"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    global_comment = models.TextField(_("commentaire global"), max_length=500, blank=True)
    results_sent_at = models.DateTimeField(_("résultats transmis le"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-start_time", "-number"]
        verbose_name = _("session de certification")
        verbose_name_plural = _("sessions de certification")
        constraints = [
            models.CheckConstraint(
                condition=Q(access_code__regex=r"^[A-Z]{4}[0-9]{2}$"),
                name="certification_certificationsession_access_code_format",
            ),
            models.CheckConstraint(
                condition=Q(results_sent_at__isnull=True) | Q(finalized_at__isnull=False),
                name="certification_certificationsession_results_after_finalization",
            ),
        ]
        indexes = [
            # The centre's list of sessions, latest first.
            models.Index(fields=["center", "-date"], name="certsession_center_date"),
        ]

    def __str__(self) -> str:
        return str(_("Session %(number)s") % {"number": self.number})

    def status_from(self, *, checked_in: bool) -> str:
        """The status the facts give; ``checked_in``: has a candidate joined?"""
        if self.results_sent_at:
            return self.Status.RESULTS_SENT
        if self.finalized_at:
            return self.Status.FINALIZED
        if checked_in:
            return self.Status.IN_PROGRESS
        return self.Status.CREATED

    @property
    def is_finalized(self) -> bool:
        return self.finalized_at is not None

    @property
    def starts_at(self) -> datetime.datetime:
        """The session's start, aware, in its centre's time zone."""
        zone = zoneinfo.ZoneInfo(self.center.time_zone)
        return datetime.datetime.combine(self.date, self.start_time, tzinfo=zone)


class Candidate(models.Model):
    """A candidate of a session: identity and birth place as the certificate prints them."""

    class Sex(models.TextChoices):
        MALE = "M", _("Masculin")
        FEMALE = "F", _("Féminin")

    class Pricing(models.TextChoices):
        FREE = "FREE", _("Gratuite")
        PAID = "PAID", _("Payante")
        PREPAID = "PREPAID", _("Prépayée")

    session = models.ForeignKey(
        CertificationSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="candidates",
    )
    # Set when the candidate comes from the institution's students (SCO centres).
    student = models.ForeignKey(
        Student,
        verbose_name=_("élève"),
        on_delete=models.PROTECT,
        related_name="certification_candidacies",
        null=True,
        blank=True,
    )
    last_name = models.CharField(_("nom"), max_length=80)
    first_name = models.CharField(_("prénom"), max_length=80)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date de naissance"))
    # Born in France: the commune's INSEE code (and postal code); abroad: the country.
    birth_insee_code = models.CharField(_("code INSEE de la commune"), max_length=5, blank=True)
    birth_postal_code = models.CharField(_("code postal de naissance"), max_length=5, blank=True)
    birth_city = models.CharField(_("commune de naissance"), max_length=80)
    birth_department = models.CharField(_("département de naissance"), max_length=80, blank=True)
    birth_country = models.CharField(_("pays de naissance"), max_length=80)
    # ISO 3166-1 alpha-2, when the country was chosen from the list (typed candidates).
    birth_country_code = models.CharField(_("code du pays de naissance"), max_length=2, blank=True)
    convocation_email = models.EmailField(_("e-mail de convocation"), blank=True)
    results_email = models.EmailField(_("e-mail du destinataire des résultats"), blank=True)
    local_id = models.CharField(_("identifiant local"), max_length=40, blank=True)
    class_name = models.CharField(_("classe"), max_length=40, blank=True)
    extra_time_percent = models.PositiveSmallIntegerField(
        _("temps majoré (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(99, message=EXTRA_TIME_RANGE)],
    )
    pricing = models.CharField(_("tarification"), max_length=8, choices=Pricing.choices, blank=True)
    prepayment_code = models.CharField(_("code de prépaiement"), max_length=30, blank=True)
    accessibility_needed = models.BooleanField(_("aménagement nécessaire"), default=False)
    # The folded names and birth date: one candidate per identity in a session.
    identity_key = models.CharField(max_length=200, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ajouté par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)
    # Check-in (the candidate joined the session) and finalization.
    checked_in_at = models.DateTimeField(_("a rejoint la session le"), null=True, blank=True)
    present = models.BooleanField(_("présent"), null=True, blank=True)
    end_screen_seen = models.BooleanField(_("écran de fin de test vu"), default=False)
    unfinished_reason = models.CharField(_("raison de l'abandon"), max_length=200, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "birth_date"]
        verbose_name = _("candidat")
        verbose_name_plural = _("candidats")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student"],
                condition=Q(student__isnull=False),
                name="certification_candidate_student_once",
            ),
            models.UniqueConstraint(
                fields=["session", "identity_key"], name="certification_candidate_identity_once"
            ),
            models.CheckConstraint(
                condition=Q(extra_time_percent__isnull=True) | Q(extra_time_percent__lte=99),
                name="certification_candidate_extra_time_range",
            ),
            models.CheckConstraint(
                condition=Q(birth_date__gte=datetime.date(1900, 1, 1)),
                name="certification_candidate_birth_after_1900",
            ),
            models.CheckConstraint(
                condition=~Q(pricing="PREPAID") | ~Q(prepayment_code=""),
                name="certification_candidate_prepaid_has_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.birth_date:%d/%m/%Y})"

    def save(self, *args, **kwargs) -> None:
        self.identity_key = identity_key(self.last_name, self.first_name, self.birth_date)
        super().save(*args, **kwargs)

    @property
    def has_joined(self) -> bool:
        return self.checked_in_at is not None


def identity_key(last_name: str, first_name: str, birth_date: datetime.date | None) -> str:
    """« jefferson|thomas|1997-05-20 »: names without accents or case, and the birth date."""
    date = birth_date.isoformat() if birth_date else ""
    return f"{fold(last_name)}|{fold(first_name)}|{date}"


class UnfinishedReason(models.TextChoices):
    """Why a present candidate's test did not end (Candidate.unfinished_reason), told at the
    session's finalization when « écran de fin de test vu » is not ticked."""

    TECHNICAL = "technical", _("Problème technique non résolu")
    WITHDRAWAL = "withdrawal", _("Abandon du candidat")
    TIME_UP = "time_up", _("Temps écoulé")
    OTHER = "other", _("Autre")


class IncidentCategory(models.TextChoices):
    TECHNICAL = "technical", _("Problème technique")
    LATE_OR_ABSENT = "late_or_absent", _("Retard ou absence")
    LEFT_ROOM = "left_room", _("Sortie de la salle")
    FRAUD = "fraud", _("Suspicion de fraude")
    ACCESSIBILITY = "accessibility", _("Problème d'accessibilité")
    OTHER = "other", _("Autre")


class Incident(models.Model):
    """An incident reported at a session's finalization, printed on its « PV d'incident »."""

    # Module-level so that Meta's constraint can name its values.
    Category = IncidentCategory

    session = models.ForeignKey(
        CertificationSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="incidents",
    )
    # The candidate concerned, if any; always one of the session's (the service checks it).
    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidat"),
        on_delete=models.SET_NULL,
        related_name="incidents",
        null=True,
        blank=True,
    )
    category = models.CharField(_("catégorie"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signalé par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("signalé le"), auto_now_add=True)

    class Meta:
        # The incidents of one finalization share created_at: pk keeps the order they had.
        ordering = ["created_at", "pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=IncidentCategory.values),
                name="certification_incident_category_valid",
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="certification_incident_description_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.get_category_display()}"
