"""Term records (« dossiers sessions ») and course enrolments (« inscriptions-cours »).

Invariants the database keeps are constraints named ``enrollment_<model>_<rule>``; the rules
that need other rows (the admission is the student's, the group is the course's and the
term's, capacity, prerequisites) are checked by enrollment.services under row locks.
"""

from django.conf import settings
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
from registrar.models.codes import PartnerOrganization
from registrar.text import apply_mask


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
    partner_organization = models.ForeignKey(
        PartnerOrganization,
        verbose_name=_("organisme partenaire"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # A course number of the catalogue, chosen with the course picker (enrollment.forms).
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


# --------------------------------------------------------------------------------------
# Batch enrolment operations (« Inscription en lot »)
# --------------------------------------------------------------------------------------


class BatchOperation(models.Model):
    """An « Inscription en lot »: the options of the guide's window (Image 2.1) and the
    selection of targeted students. Its runs (simulations, the execution, the undo) carry
    the reports; the operation can be changed only until it is executed."""

    class Action(models.TextChoices):
        ADD = "A", _("A - À ajouter ou modifier")
        DELETE = "S", _("S - À supprimer")

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        SIMULATED = "simulated", _("Simulée")
        REFUSED = "refused", _("Exécution refusée")
        EXECUTED = "executed", _("Exécutée")
        UNDONE = "undone", _("Annulée")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.PROTECT,
        related_name="batch_operations",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # Blank while the operation is being prepared; « Démarrer » requires them.
    term = models.ForeignKey(
        Term,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    create_term_record = models.BooleanField(_("créer un dossier session"), default=True)
    simulation = models.BooleanField(_("mode simulation"), default=True)
    all_or_nothing = models.BooleanField(
        _("tout ou rien"),
        default=True,
        help_text=_("O-Oui : si un étudiant est refusé, rien n'est écrit pour personne."),
    )
    assignment_state = models.ForeignKey(
        AssignmentState,
        verbose_name=_("état d'assignation"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    action = models.CharField(_("action"), max_length=1, choices=Action.choices, default=Action.ADD)
    course = models.ForeignKey(
        Course,
        verbose_name=_("cours"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    group = models.ForeignKey(
        CourseGroup,
        verbose_name=_("groupe"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Kept in step by the selection services: lists show it without counting 10,000 rows.
    selection_count = models.PositiveIntegerField(_("étudiants sélectionnés"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opération d'inscription en lot")
        verbose_name_plural = _("opérations d'inscription en lot")
        permissions = [
            ("view_all_batchoperations", _("Voir les opérations de tous les utilisateurs")),
        ]
        indexes = [
            # « Mes opérations »: a user's operations, newest first.
            models.Index(fields=["created_by", "-created_at"], name="batchop_creator_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(term__isnull=False) & Q(course__isnull=False) & Q(group__isnull=False)),
                name="enrollment_batchoperation_complete_once_run",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Inscription en lot n° %(number)s") % {"number": self.pk})

    @property
    def is_editable(self) -> bool:
        """Options and selection change until the operation is executed."""
        return self.status in (self.Status.DRAFT, self.Status.SIMULATED, self.Status.REFUSED)

    @property
    def description(self) -> str:
        """« INS-TEE-RA gr. 08459 · H-2018 », or what is set of it so far."""
        parts = []
        if self.course_id:
            parts.append(self.course.number)
        if self.group_id:
            parts.append(f"gr. {self.group.number}")
        text = " ".join(parts)
        if self.term_id:
            text = f"{text} · {self.term.code}" if text else self.term.code
        return text


class BatchSelection(models.Model):
    """A student targeted by a batch operation (« Sélection des étudiants ciblés »)."""

    operation = models.ForeignKey(
        BatchOperation,
        verbose_name=_("opération"),
        on_delete=models.CASCADE,
        related_name="selection",
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("étudiant"),
        on_delete=models.PROTECT,
        related_name="batch_selections",
    )
    # The order students were added in; the report keeps it.
    position = models.PositiveIntegerField(_("ordre"))

    class Meta:
        ordering = ["operation", "position"]
        verbose_name = _("étudiant sélectionné")
        verbose_name_plural = _("étudiants sélectionnés")
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "student"], name="enrollment_batchselection_once"
            ),
        ]
        indexes = [
            models.Index(fields=["operation", "position"], name="batchselection_order"),
        ]

    def __str__(self) -> str:
        return f"{self.operation_id} / {self.position}"


class BatchRun(models.Model):
    """One run of a batch operation: a simulation, the execution or the undo, with its
    report (the lines) and its totals. Simulation and execution write the same lines."""

    class Kind(models.TextChoices):
        SIMULATION = "simulation", _("Simulation")
        EXECUTION = "execution", _("Exécution")
        UNDO = "undo", _("Annulation")

    class Status(models.TextChoices):
        DONE = "done", _("Terminée")
        REFUSED = "refused", _("Refusée : rien n'a été écrit")

    operation = models.ForeignKey(
        BatchOperation, verbose_name=_("opération"), on_delete=models.CASCADE, related_name="runs"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("résultat"), max_length=8, choices=Status.choices)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exécutée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("lancée le"))
    finished_at = models.DateTimeField(_("terminée le"))
    # {outcome code: number of lines}
    totals = models.JSONField(_("totaux"), default=dict)
    line_count = models.PositiveIntegerField(_("lignes"), default=0)
    # The simulation an execution is compared with, and how many of its lines differ.
    compared_with = models.ForeignKey(
        "self",
        verbose_name=_("simulation comparée"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    differences = models.PositiveIntegerField(_("différences avec la simulation"), default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("rapport d'exécution")
        verbose_name_plural = _("rapports d'exécution")
        constraints = [
            # An operation is executed, and undone, exactly once, whatever the clicks.
            models.UniqueConstraint(
                fields=["operation"],
                condition=Q(kind="execution", status="done"),
                name="enrollment_batchrun_one_execution",
            ),
            models.UniqueConstraint(
                fields=["operation"],
                condition=Q(kind="undo"),
                name="enrollment_batchrun_one_undo",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.operation}"

    @property
    def wrote(self) -> bool:
        """Whether this run changed students' records."""
        return self.kind != self.Kind.SIMULATION and self.status == self.Status.DONE


class BatchLine(models.Model):
    """One student's line of a run's report (the guide's Image 2.11), with what undo needs."""

    class Outcome(models.TextChoices):
        RECORD_AND_ENROLLED = "record", _("Dossier session créé et inscrit")
        ENROLLED = "enrolled", _("Inscrit")
        MODIFIED = "modified", _("Inscription modifiée")
        UNCHANGED = "unchanged", _("Déjà inscrit")
        DELETED = "deleted", _("Inscription supprimée")
        NOT_ENROLLED = "absent", _("Non inscrit à ce cours")
        UNDONE = "undone", _("Annulé")
        REFUSED = "refused", _("Refusé")

    run = models.ForeignKey(
        BatchRun, verbose_name=_("rapport"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("ligne"))
    # The student as they were named when the report was written.
    student = models.ForeignKey(
        Student,
        verbose_name=_("étudiant"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
    )
    da_number = models.CharField(_("numéro DA"), max_length=12)
    last_name = models.CharField(_("nom"), max_length=80)
    first_name = models.CharField(_("prénom"), max_length=80)
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("motif"), max_length=20, blank=True)
    params = models.JSONField(_("précisions"), default=dict, blank=True)
    # When an execution's outcome differs from the compared simulation's: the simulated
    # outcome ("new" for a student the simulation did not have).
    simulated_outcome = models.CharField(_("résultat simulé"), max_length=10, blank=True)
    # What the run wrote, for undo: plain ids (the rows may be gone since), and the
    # updated_at the run left on them, to tell whether anyone changed them since.
    term_record_id = models.BigIntegerField(null=True, blank=True)
    enrollment_id = models.BigIntegerField(null=True, blank=True)
    enrollment_stamp = models.DateTimeField(null=True, blank=True)
    before = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "position"]
        verbose_name = _("ligne de rapport")
        verbose_name_plural = _("lignes de rapport")
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="enrollment_batchline_once"),
        ]
        indexes = [
            models.Index(fields=["run", "outcome", "position"], name="batchline_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.da_display} {self.full_name} : {self.get_outcome_display()}"

    @property
    def da_display(self) -> str:
        return apply_mask(self.da_number, settings.STUDENT_NUMBER_MASK)

    @property
    def full_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def message(self) -> str:
        """The line's detail as staff read it: the refusal's reason, what was changed."""
        text = LINE_DETAILS.get(self.reason)
        if text is None:
            return ""
        try:
            return str(text) % self.params
        except (KeyError, TypeError, ValueError):  # a report written by an older version
            return str(text)


# Details of report lines, by BatchLine.reason; params come from the line's ``params``.
LINE_DETAILS = {
    "inactive": _("Dossier inactif."),
    "no_record": _("Aucun dossier session %(term)s et « Créer un dossier session » est à N-Non."),
    "no_admission": _("Aucune admission en cours : le dossier session %(term)s ne peut être créé."),
    "group_full": _("Le groupe %(group)s est complet (capacité : %(capacity)s)."),
    "prerequisite": _("Préalable non réussi à une session antérieure : %(courses)s."),
    "has_grade": _("L'inscription porte une note (%(grade)s) : elle n'est pas supprimée."),
    "other_group": _("Inscrit dans le groupe %(group)s, pas dans le groupe %(expected)s."),
    "changes": _("%(changes)s"),
    "record_kept": _(
        "Inscription retirée ; le dossier session est conservé : il porte d'autres inscriptions."
    ),
    "record_changed": _(
        "Inscription retirée ; le dossier session est conservé : il a été modifié depuis "
        "l'opération."
    ),
    "changed_since": _(
        "Le dossier a été modifié depuis l'opération : rien n'est annulé pour cet étudiant."
    ),
    "gone": _("L'inscription a été supprimée depuis l'opération : rien à annuler."),
    "reenrolled": _("L'étudiant a été réinscrit au cours depuis l'opération."),
    "record_gone": _("Le dossier session a été supprimé depuis l'opération."),
    "undone_enrolled": _("Inscription au cours %(course)s retirée."),
    "undone_record": _("Inscription retirée et dossier session %(term)s supprimé."),
    "undone_modified": _("Inscription remise comme avant l'opération."),
    "undone_deleted": _("Inscription rétablie."),
}
