"""The core records every workflow builds on.

Invariants are database constraints named ``registrar_<model>_<rule>``; the validators in
``registrar.validators`` give the French messages the forms show before the database would
refuse a row.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registrar import lookups, validators  # noqa: F401  (lookups registers __like, __length)
from registrar.text import apply_mask, digits, fold

# --------------------------------------------------------------------------------------
# Code tables: « CODE - Libellé » rows that administrators edit in the Django admin.
# --------------------------------------------------------------------------------------


class CodeTable(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True)
    label = models.CharField(_("libellé"), max_length=120)
    is_active = models.BooleanField(_("actif"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} - {self.label}"


class Language(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("langue")
        verbose_name_plural = _("langues")


class EnrollmentCategory(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("catégorie d'inscription")
        verbose_name_plural = _("catégories d'inscription")


class FundingSource(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("source de financement")
        verbose_name_plural = _("sources de financement")


class RacMode(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("mode RAC")
        verbose_name_plural = _("modes RAC")


class DistanceMode(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("mode d'enseignement à distance")
        verbose_name_plural = _("modes d'enseignement à distance")


class PrerequisiteRule(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("traitement des préalables")
        verbose_name_plural = _("traitements des préalables")


class AssignmentState(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("état d'assignation")
        verbose_name_plural = _("états d'assignation")


class PartnerSituation(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("situation d'études dans un organisme partenaire")
        verbose_name_plural = _("situations d'études dans un organisme partenaire")


class CensusStatus(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("statut de recensement")
        verbose_name_plural = _("statuts de recensement")


class RefusalReason(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("motif de refus")
        verbose_name_plural = _("motifs de refus")


class CancellationReason(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("motif d'annulation")
        verbose_name_plural = _("motifs d'annulation")


CODE_TABLES: tuple[type[CodeTable], ...] = (
    Language,
    EnrollmentCategory,
    FundingSource,
    RacMode,
    DistanceMode,
    PrerequisiteRule,
    AssignmentState,
    PartnerSituation,
    CensusStatus,
    RefusalReason,
    CancellationReason,
)


# --------------------------------------------------------------------------------------
# Institution
# --------------------------------------------------------------------------------------


class OrgUnit(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("nom"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unité organisationnelle")
        verbose_name_plural = _("unités organisationnelles")

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class TermQuerySet(models.QuerySet):
    def chronological(self):
        return self.order_by("year", "season")

    def current(self, today: datetime.date | None = None) -> "Term | None":
        """The term whose dates contain ``today``, else the latest term already started."""
        today = today or datetime.date.today()
        ongoing = self.filter(start_date__lte=today, end_date__gte=today).first()
        if ongoing:
            return ongoing
        return (
            self.filter(start_date__lte=today).order_by("-year", "-season").first()
            or self.order_by("year", "season").first()
        )


class Term(models.Model):
    """A session (« A-2017 Automne »). The code is entered; season and year follow from it."""

    class Season(models.IntegerChoices):
        # Stored as numbers so that ordering by (year, season) gives H < E < A.
        WINTER = 1, _("Hiver")
        SUMMER = 2, _("Été")
        AUTUMN = 3, _("Automne")

    LETTERS = {1: "H", 2: "E", 3: "A"}

    code = models.CharField(
        _("code"),
        max_length=6,
        unique=True,
        validators=[validators.validate_term_code],
        help_text=_("Lettre de la saison et année, ex. A-2017, H-2018, E-2018."),
    )
    season = models.PositiveSmallIntegerField(_("saison"), choices=Season.choices, editable=False)
    year = models.PositiveSmallIntegerField(_("année"), editable=False)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["year", "season"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "season"], name="registrar_term_one_per_season"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="registrar_term_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    def save(self, *args, **kwargs) -> None:
        self._apply_code()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        try:
            self._apply_code()
        except ValidationError as exc:
            raise ValidationError({"code": exc.messages}) from None
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": _("La fin doit suivre le début de la session.")})

    def _apply_code(self) -> None:
        letter, year = validators.parse_term_code(self.code)
        self.season = validators.SEASONS[letter]
        self.year = year
        self.code = f"{letter}-{year}"

    @property
    def label(self) -> str:
        return f"{self.get_season_display()} {self.year}"


class Program(models.Model):
    code = models.CharField(_("numéro du programme"), max_length=10, unique=True)
    title = models.CharField(_("titre du programme"), max_length=200)
    search_title = models.CharField(max_length=200, editable=False, db_index=True)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.search_title = fold(self.title)
        super().save(*args, **kwargs)


# --------------------------------------------------------------------------------------
# Students
# --------------------------------------------------------------------------------------


class Student(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Féminin")
        MALE = "M", _("Masculin")
        OTHER = "X", _("Non précisé")

    da_number = models.CharField(
        _("numéro DA"),
        max_length=12,
        unique=True,
        validators=[validators.validate_da_number],
        help_text=_("Chiffres seulement ; affiché avec le masque de l'établissement."),
    )
    permanent_code = models.CharField(
        _("code permanent"),
        max_length=12,
        blank=True,
        validators=[validators.validate_permanent_code],
    )
    ine = models.CharField(
        _("INE"),
        max_length=11,
        blank=True,
        validators=[validators.validate_ine],
        help_text=_("Identifiant national étudiant (France)."),
    )
    last_name = models.CharField(_("nom de famille"), max_length=80)
    first_name = models.CharField(_("prénom"), max_length=80)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address_line1 = models.CharField(_("adresse"), max_length=120, blank=True)
    address_line2 = models.CharField(_("complément d'adresse"), max_length=120, blank=True)
    city = models.CharField(_("ville"), max_length=80, blank=True)
    region = models.CharField(_("province ou région"), max_length=80, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=12, blank=True)
    country = models.CharField(_("pays"), max_length=80, blank=True, default="Canada")
    birth_city = models.CharField(_("ville de naissance"), max_length=80, blank=True)
    birth_department = models.CharField(
        _("département ou province de naissance"), max_length=80, blank=True
    )
    birth_country = models.CharField(_("pays de naissance"), max_length=80, blank=True)
    class_division = models.CharField(_("classe ou division"), max_length=40, blank=True)
    language = models.ForeignKey(
        Language,
        verbose_name=_("langue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    # Folded copies (lower-case, no accents) that the simple search reads; written by
    # refresh_search_fields() on every save and before every bulk_create.
    search_last_name = models.CharField(max_length=80, editable=False)
    search_first_name = models.CharField(max_length=80, editable=False)
    search_full_name = models.CharField(max_length=161, editable=False)
    phone_digits = models.CharField(max_length=30, editable=False, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "da_number"]
        verbose_name = _("étudiant")
        verbose_name_plural = _("étudiants")
        constraints = [
            models.CheckConstraint(
                condition=Q(da_number__regex=r"^[0-9]+$"), name="registrar_student_da_digits"
            ),
            models.UniqueConstraint(
                fields=["permanent_code"],
                condition=~Q(permanent_code=""),
                name="registrar_student_unique_permanent_code",
            ),
            models.CheckConstraint(
                condition=Q(permanent_code="") | Q(permanent_code__regex=r"^[A-Z]{4}[0-9]{8}$"),
                name="registrar_student_permanent_code_format",
            ),
            models.UniqueConstraint(
                fields=["ine"], condition=~Q(ine=""), name="registrar_student_unique_ine"
            ),
            models.CheckConstraint(
                condition=Q(ine="") | Q(ine__length=11), name="registrar_student_ine_length"
            ),
        ]
        # The simple search reads these with left-anchored LIKE patterns. On PostgreSQL the
        # varchar_pattern_ops operator class lets LIKE 'leb%' use the index whatever the
        # database collation; trigram indexes for '*blanc' patterns are added in 0003.
        indexes = [
            models.Index(
                fields=["search_last_name", "search_first_name"],
                name="student_search_last_name",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["search_first_name"],
                name="student_search_first_name",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["search_full_name"],
                name="student_search_full_name",
                opclasses=["varchar_pattern_ops"],
            ),
            # da_number is unique: PostgreSQL already adds its own *_like index for it.
            models.Index(
                fields=["permanent_code"],
                name="student_permanent_code_like",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["phone_digits"],
                name="student_phone_like",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.da_display})"

    def save(self, *args, **kwargs) -> None:
        self.refresh_search_fields()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        """« Leblanc, Lise », as Clara shows a student."""
        return f"{self.last_name}, {self.first_name}"

    @property
    def da_display(self) -> str:
        return apply_mask(self.da_number, settings.STUDENT_NUMBER_MASK)

    def refresh_search_fields(self) -> None:
        self.permanent_code = validators.normalize_permanent_code(self.permanent_code)
        self.ine = (self.ine or "").strip().upper()
        self.da_number = digits(self.da_number) or self.da_number
        self.search_last_name = fold(self.last_name)
        self.search_first_name = fold(self.first_name)
        self.search_full_name = f"{self.search_last_name} {self.search_first_name}"
        self.phone_digits = digits(self.phone)

    def clean(self) -> None:
        super().clean()
        self.refresh_search_fields()
        if self.permanent_code:
            try:
                validators.check_permanent_code_consistency(
                    self.permanent_code, self.birth_date, self.sex
                )
            except ValidationError as exc:
                raise ValidationError({"permanent_code": exc.messages}) from None


class Admission(models.Model):
    """An admission of a student to a program; term records are created from one."""

    class Status(models.TextChoices):
        ADMITTED = "admitted", _("Admis")
        ACTIVE = "active", _("Actif dans la démarche")
        COMPLETED = "completed", _("Sanctionné")
        WITHDRAWN = "withdrawn", _("Abandon")
        CANCELLED = "cancelled", _("Annulée")

    student = models.ForeignKey(
        Student, verbose_name=_("étudiant"), on_delete=models.CASCADE, related_name="admissions"
    )
    program = models.ForeignKey(
        Program,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="admissions",
        db_index=False,  # admission_program_student below leads with it
    )
    grid_code = models.CharField(
        _("grille"), max_length=20, help_text=_("Grille de cheminement, ex. JEE0K-17R-RA.")
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unité org."), on_delete=models.PROTECT, related_name="admissions"
    )
    term = models.ForeignKey(
        Term,
        verbose_name=_("session d'admission"),
        on_delete=models.PROTECT,
        related_name="admissions",
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.ADMITTED
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["student", "-term__year", "-term__season"]
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "grid_code", "term"], name="registrar_admission_unique_grid_term"
            ),
            models.CheckConstraint(
                condition=~Q(grid_code=""), name="registrar_admission_grid_required"
            ),
        ]
        # The program criteria of the student search read (program, student) pairs only:
        # an index-only scan gives a program's students without touching the admissions.
        indexes = [
            models.Index(fields=["program", "student"], name="admission_program_student"),
        ]

    def __str__(self) -> str:
        return f"{self.grid_code} ({self.term.code})"


# --------------------------------------------------------------------------------------
# Courses
# --------------------------------------------------------------------------------------


class Discipline(models.Model):
    code = models.CharField(_("numéro de la discipline"), max_length=3, unique=True)
    title = models.CharField(_("titre de la discipline"), max_length=120)
    search_title = models.CharField(max_length=120, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")

    def __str__(self) -> str:
        return f"{self.code} - {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.search_title = fold(self.title)
        super().save(*args, **kwargs)


class Course(models.Model):
    number = models.CharField(
        _("numéro du cours"), max_length=12, unique=True, help_text=_("ex. 601-103-MQ")
    )
    title = models.CharField(_("titre du cours"), max_length=200)
    discipline = models.ForeignKey(
        Discipline, verbose_name=_("discipline"), on_delete=models.PROTECT, related_name="courses"
    )
    objective_code = models.CharField(_("numéro de l'objectif"), max_length=12, blank=True)
    official_number = models.CharField(_("numéro du cours officiel"), max_length=12, blank=True)
    sobec_number = models.CharField(_("numéro du cours SOBEC"), max_length=12, blank=True)
    weighting = models.CharField(
        _("pondération"),
        max_length=8,
        blank=True,
        validators=[validators.validate_weighting],
        help_text=_("Théorie-laboratoire-travail personnel, ex. 3-1-3."),
    )
    units = models.DecimalField(_("unités"), max_digits=4, decimal_places=2, default=0)
    hours = models.PositiveSmallIntegerField(_("heures"), default=0)
    is_placeholder = models.BooleanField(
        _("cours bidon"),
        default=False,
        help_text=_("Cours fictif servant aux inscriptions en lot (ex. INS-TEE-RA)."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    search_title = models.CharField(max_length=200, editable=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("cours")
        verbose_name_plural = _("cours")
        constraints = [
            models.CheckConstraint(
                condition=Q(units__gte=0), name="registrar_course_units_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["search_title"], name="course_search_title"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.number = self.number.strip().upper()
        self.search_title = fold(self.title)
        super().save(*args, **kwargs)


class CourseGroup(models.Model):
    class RacType(models.TextChoices):
        EE = "EE", _("EE")
        EE_SR = "EE_SR", _("EE SR (sans résultat)")
        FM = "FM", _("FM")

    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.PROTECT, related_name="groups"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("session"), on_delete=models.PROTECT, related_name="course_groups"
    )
    number = models.CharField(
        _("groupe"), max_length=5, validators=[validators.validate_group_number]
    )
    rac_type = models.CharField(_("type RAC"), max_length=5, choices=RacType.choices, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacité"), null=True, blank=True, help_text=_("Vide : sans limite.")
    )
    teacher = models.CharField(_("enseignant"), max_length=120, blank=True)

    class Meta:
        ordering = ["course__number", "term__year", "term__season", "number"]
        verbose_name = _("groupe-cours")
        verbose_name_plural = _("groupes-cours")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "term", "number"], name="registrar_coursegroup_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]+$"), name="registrar_coursegroup_number_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.number} gr. {self.number} ({self.term.code})"
