"""Students and their admissions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registrar import lookups, validators  # noqa: F401  (lookups registers __like, __length)
from registrar.models.codes import Language
from registrar.models.institution import OrgUnit, Program, Term
from registrar.text import apply_mask, digits, fold

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
            # The certification pupils' list (« Ajouter des élèves ») pages the active
            # students by class then name: this index gives the order without sorting
            # every student, and its class column serves the list of classes.
            models.Index(
                fields=["class_division", "search_last_name", "search_first_name", "id"],
                condition=Q(is_active=True),
                name="student_active_class_name",
            ),
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
