"""Disciplines, courses, their groups per term and their prerequisites."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registrar import validators
from registrar.models.institution import Term
from registrar.text import fold

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


class CoursePrerequisite(models.Model):
    """A course that must be passed, in an earlier term, before enrolling in another."""

    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="prerequisites"
    )
    prerequisite = models.ForeignKey(
        Course,
        verbose_name=_("cours préalable"),
        on_delete=models.PROTECT,
        related_name="required_for",
    )

    class Meta:
        ordering = ["course__number", "prerequisite__number"]
        verbose_name = _("préalable")
        verbose_name_plural = _("préalables")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "prerequisite"], name="registrar_courseprerequisite_unique"
            ),
            models.CheckConstraint(
                condition=~Q(course=models.F("prerequisite")),
                name="registrar_courseprerequisite_not_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.number} ← {self.prerequisite.number}"


class RacCorrespondence(models.Model):
    """A line of the « grille de correspondance cours/compétences »: the group number to
    enter for a course in a recognition of prior learning (RAC), its RAC type and the
    competency it assesses. Staff maintain it as data; enrolling with that group number
    takes the line's RAC type."""

    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="rac_grid"
    )
    group_number = models.CharField(
        _("numéro de groupe"), max_length=5, validators=[validators.validate_group_number]
    )
    rac_type = models.CharField(_("type RAC"), max_length=5, choices=CourseGroup.RacType.choices)
    competency_code = models.CharField(_("code de compétence"), max_length=12, blank=True)
    competency_title = models.CharField(_("compétence"), max_length=200, blank=True)

    class Meta:
        ordering = ["course__number", "group_number"]
        verbose_name = _("ligne de la grille de correspondance")
        verbose_name_plural = _("grille de correspondance cours/compétences")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "group_number"], name="registrar_raccorrespondence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.number} gr. {self.group_number} ({self.get_rac_type_display()})"
