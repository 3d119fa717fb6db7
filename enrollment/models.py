"""Term records (« dossiers sessions ») and course enrolments (« inscriptions-cours »).

Invariants the database keeps are constraints named ``enrollment_<model>_<rule>``; the rules
that need other rows (the admission is the student's, the group is the course's and the
term's, capacity, prerequisites) are checked by enrollment.services under row locks.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registrar.models import (
    Admission,
    AssignmentState,
    CensusStatus,
    Course,
    CourseGroup,
    DistanceMode,
    EnrollmentCategory,
    FundingSource,
    Language,
    OrgUnit,
    PartnerSituation,
    PrerequisiteRule,
    RacMode,
    Student,
    Term,
)


class TermRecord(models.Model):
    """A student's file for one term, created from one of the student's admissions."""

    student = models.ForeignKey(
        Student, verbose_name=_("étudiant"), on_delete=models.PROTECT, related_name="term_records"
    )
    admission = models.ForeignKey(
        Admission,
        verbose_name=_("admission"),
        on_delete=models.PROTECT,
        related_name="term_records",
    )
    term = models.ForeignKey(
        Term, verbose_name=_("session"), on_delete=models.PROTECT, related_name="term_records"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["student", "-term__year", "-term__season"]
        verbose_name = _("dossier session")
        verbose_name_plural = _("dossiers sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term"], name="enrollment_termrecord_one_per_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.full_name} — {self.term.code}"


class CourseEnrollment(models.Model):
    """An « inscription-cours »: every field of the guide's window « Création d'une
    inscription-cours » (Image 1.4)."""

    term_record = models.ForeignKey(
        TermRecord,
        verbose_name=_("dossier session"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.PROTECT, related_name="enrollments"
    )
    group = models.ForeignKey(
        CourseGroup,
        verbose_name=_("groupe"),
        on_delete=models.PROTECT,
        related_name="enrollments",
        null=True,
        blank=True,
    )
    fictitious_group_number = models.CharField(
        _("numéro de groupe fictif"),
        max_length=5,
        blank=True,
        help_text=_("Saisie d'un numéro de groupe fictif, quand le groupe n'existe pas."),
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unité org."), on_delete=models.PROTECT, related_name="+"
    )
    language = models.ForeignKey(
        Language, verbose_name=_("langue"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        EnrollmentCategory,
        verbose_name=_("catégorie"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    funding_source = models.ForeignKey(
        FundingSource,
        verbose_name=_("source financement"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rac_mode = models.ForeignKey(
        RacMode, verbose_name=_("RAC"), on_delete=models.PROTECT, related_name="+"
    )
    distance_mode = models.ForeignKey(
        DistanceMode,
        verbose_name=_("mode ens. distance"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    prerequisite_rule = models.ForeignKey(
        PrerequisiteRule,
        verbose_name=_("préalables"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignment_state = models.ForeignKey(
        AssignmentState,
        verbose_name=_("état d'assignation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignment_priority = models.PositiveSmallIntegerField(_("priorité d'assignation"), default=0)
    substitution_intent = models.BooleanField(_("intention substitution"), default=False)
    alternative_number = models.CharField(_("numéro alternatif"), max_length=12, blank=True)
    parent_course = models.ForeignKey(
        Course,
        verbose_name=_("cours parent"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Résultats
    grade = models.PositiveSmallIntegerField(
        _("note"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100, message=_("La note est comprise entre 0 et 100."))],
    )
    weighted_grade = models.DecimalField(
        _("pondérée"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    group_average = models.DecimalField(
        _("moy."), max_digits=5, decimal_places=2, null=True, blank=True
    )
    remark = models.CharField(_("remarque"), max_length=4, blank=True)
    absences = models.PositiveSmallIntegerField(_("absences"), null=True, blank=True)
    r_score = models.DecimalField(
        _("cote R"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    r_score_grade_average = models.DecimalField(
        _("moy. notes cote R"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    retake_right = models.BooleanField(_("droit à la reprise"), default=False)
    # Situation d'études dans un organisme partenaire (reçu en commandite)
    partner_situation = models.ForeignKey(
        PartnerSituation,
        verbose_name=_("situation d'études"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    partner_organization = models.CharField(_("organisme partenaire"), max_length=120, blank=True)
    partner_course = models.CharField(
        _("cours dans organisme partenaire"), max_length=30, blank=True
    )
    # Recensement
    census_status = models.ForeignKey(
        CensusStatus,
        verbose_name=_("statut de recensement"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    census_by = models.CharField(_("recensement par"), max_length=120, blank=True)
    census_date = models.DateField(_("date de recensement"), null=True, blank=True)
    # Transmission (to the ministry): written by the transmission process, shown read-only.
    transmission_state = models.CharField(_("état"), max_length=40, blank=True)
    transmission_state_at = models.DateTimeField(_("dernière transmission"), null=True, blank=True)
    transmission_funding = models.CharField(_("financement"), max_length=40, blank=True)
    transmission_funding_at = models.DateTimeField(
        _("dernière transmission"), null=True, blank=True
    )
    transmission_result = models.CharField(_("résultat"), max_length=40, blank=True)
    transmission_result_at = models.DateTimeField(_("dernière transmission"), null=True, blank=True)
    created_at = models.DateTimeField(_("date de création"), auto_now_add=True)
    updated_at = models.DateTimeField(_("date de dernière MAJ"), auto_now=True)

    class Meta:
        ordering = ["term_record", "course__number"]
        verbose_name = _("inscription-cours")
        verbose_name_plural = _("inscriptions-cours")
        constraints = [
            models.UniqueConstraint(
                fields=["term_record", "course"],
                name="enrollment_courseenrollment_one_per_course",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__lte=100),
                name="enrollment_courseenrollment_grade_range",
            ),
            models.CheckConstraint(
                condition=Q(group__isnull=True) | Q(fictitious_group_number=""),
                name="enrollment_courseenrollment_one_kind_of_group",
            ),
        ]

    def __str__(self) -> str:
        group = f" gr. {self.group_number}" if self.group_number else ""
        return f"{self.course.number}{group} ({self.term_record})"

    @property
    def group_number(self) -> str:
        """The group's number, the fictitious one, or "" for a course choice not assigned."""
        return self.group.number if self.group_id else self.fictitious_group_number

    @property
    def is_assigned(self) -> bool:
        return bool(self.group_id or self.fictitious_group_number)
