"""Org units, terms (« sessions ») and programs."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registrar import validators
from registrar.text import fold

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
