"""The HSPnet placement cycle (docs/guide/stages.md): the receiving agencies, the placing
program's cohorts and their courses, the students enrolled for each course (real or
« fictif »), their preferences, the worksheets (« fiche de groupe », « fiche de stage
individuel »), the requests they hold from planning to the receiver's answer, each status
change, and the students' assignments.

Designed for both parts of the cycle (decision 0015): part 1 plans and fills the outbox,
part 2 sends, records answers and assigns. The invariants the database can hold are named
constraints (docs/architecture.md rule 2); the others are kept by the services, which lock
the worksheet row whose places they count.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from registrar.models import Course, Program, Student, Term

MAX_GROUP_SIZE = 99
MAX_PREFERENCES = 5


# --------------------------------------------------------------------------------------
# Receiving side (« organismes receveurs »)
# --------------------------------------------------------------------------------------


class Address(models.Model):
    """Name, postal address and active flag shared by agencies, sites, services and
    destinations."""

    name = models.CharField(_("nom"), max_length=150)
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    city = models.CharField(_("ville"), max_length=80, blank=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=12, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Agency(Address):
    """An « organisme receveur » (a hospital, a health centre)."""

    uses_system = models.BooleanField(
        _("utilise le système"),
        default=False,
        help_text=_(
            "Coché : l'organisme répond aux demandes dans l'application. Sinon, il reçoit "
            "les demandes en PDF par courriel."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisme receveur")
        verbose_name_plural = _("organismes receveurs")
        constraints = [
            models.UniqueConstraint(fields=["name"], name="placements_agency_unique_name"),
        ]


class Site(Address):
    agency = models.ForeignKey(
        Agency, verbose_name=_("organisme"), on_delete=models.CASCADE, related_name="sites"
    )

    class Meta:
        ordering = ["agency__name", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="placements_site_unique_name"),
        ]


class Service(Address):
    """A unit of a site (« service » / « unité »)."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="services"
    )

    class Meta:
        ordering = ["site__agency__name", "site__name", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="placements_service_unique_name"),
        ]


class Destination(Address):
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="destinations",
    )

    class Meta:
        ordering = ["service__site__agency__name", "service__site__name", "service__name", "name"]
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "name"], name="placements_destination_unique_name"
            ),
        ]


class Contact(models.Model):
    """A contact person (« personne-ressource ») of an agency, or of one of its sites or
    services."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("organisme"), on_delete=models.CASCADE, related_name="contacts"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="contacts",
        null=True,
        blank=True,
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="contacts",
        null=True,
        blank=True,
    )
    name = models.CharField(_("nom"), max_length=150)
    role = models.CharField(_("fonction"), max_length=120, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    class Meta:
        ordering = ["agency__name", "name"]
        verbose_name = _("personne-ressource")
        verbose_name_plural = _("personnes-ressources")
        constraints = [
            # A service's contact names its site too: the site is what the outbox groups by.
            models.CheckConstraint(
                condition=Q(service__isnull=True) | Q(site__isnull=False),
                name="placements_contact_service_needs_site",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


# --------------------------------------------------------------------------------------
# Placing side: programs' coordinators, cohorts and their courses
# --------------------------------------------------------------------------------------


class ProgramCoordinator(models.Model):
    """``user`` coordinates the placements of ``program``: sees its cohorts, worksheets and
    requests. Another program's answer 404 (placements/selectors/scope.py)."""

    program = models.ForeignKey(
        Program,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="placement_coordinators",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="coordinated_programs",
    )

    class Meta:
        ordering = ["program__code", "user__username"]
        verbose_name = _("coordination de stages")
        verbose_name_plural = _("coordinations de stages")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"], name="placements_programcoordinator_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.program}"


class Cohort(models.Model):
    program = models.ForeignKey(
        Program, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("nom"), max_length=120)
    start_term = models.ForeignKey(
        Term, verbose_name=_("session de début"), on_delete=models.PROTECT, related_name="+"
    )
    end_term = models.ForeignKey(
        Term, verbose_name=_("session de fin"), on_delete=models.PROTECT, related_name="+"
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copiée de"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["program__code", "-start_term__year", "-start_term__season", "name"]
        verbose_name = _("cohorte")
        verbose_name_plural = _("cohortes")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"], name="placements_cohort_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Schedule(models.Model):
    """« Horaire »: placement dates, days of the week, hours, shift code and block dates.
    A cohort course holds the default; each request its own copy."""

    # Days of the week as a bitmask: Monday = 1, Tuesday = 2 … Sunday = 64.
    WEEKDAYS = (
        (1, _("lun.")),
        (2, _("mar.")),
        (4, _("mer.")),
        (8, _("jeu.")),
        (16, _("ven.")),
        (32, _("sam.")),
        (64, _("dim.")),
    )
    MONDAY_TO_FRIDAY = 31

    start_date = models.DateField(_("date de début"), null=True, blank=True)
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    weekdays = models.PositiveSmallIntegerField(_("jours de la semaine"), default=MONDAY_TO_FRIDAY)
    start_time = models.TimeField(_("heure de début"), null=True, blank=True)
    end_time = models.TimeField(_("heure de fin"), null=True, blank=True)
    shift_code = models.CharField(
        _("code de quart"), max_length=4, blank=True, help_text=_("ex. D8, E8, N8")
    )
    # Blocks within the dates, [[start ISO date, end ISO date], …]: the days actually spent
    # at the destination when the placement is not continuous.
    block_dates = models.JSONField(_("dates de blocs"), default=list, blank=True)

    class Meta:
        abstract = True

    @property
    def weekday_labels(self) -> list[str]:
        return [str(label) for bit, label in self.WEEKDAYS if self.weekdays & bit]

    @property
    def weekdays_display(self) -> str:
        return " ".join(self.weekday_labels)

    @classmethod
    def schedule_fields(cls) -> tuple[str, ...]:
        return (
            "start_date",
            "end_date",
            "weekdays",
            "start_time",
            "end_time",
            "shift_code",
            "block_dates",
        )


def _schedule_constraints(model: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(start_date__isnull=True)
            | Q(end_date__isnull=True)
            | Q(end_date__gte=F("start_date")),
            name=f"placements_{model}_schedule_end_after_start",
        ),
        models.CheckConstraint(
            condition=Q(weekdays__gte=1, weekdays__lte=127),
            name=f"placements_{model}_schedule_some_weekday",
        ),
    ]


class CohortCourse(Schedule):
    """A course of a cohort in one term, with its set-up (« configuration du cours »)."""

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohorte"), on_delete=models.CASCADE, related_name="courses"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.PROTECT, related_name="+"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("session"), on_delete=models.PROTECT, related_name="+"
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable(s) de cours"),
        blank=True,
        related_name="+",
    )
    default_comment = models.TextField(_("commentaire par défaut"), max_length=2000, blank=True)

    class Meta:
        ordering = ["cohort", "term__year", "term__season", "course__number"]
        verbose_name = _("cours de la cohorte")
        verbose_name_plural = _("cours des cohortes")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "course", "term"], name="placements_cohortcourse_once"
            ),
            *_schedule_constraints("cohortcourse"),
        ]

    def __str__(self) -> str:
        return f"{self.course.number} ({self.term.code})"


class Worksheet(models.Model):
    """A « fiche de travail » of a cohort course: one for groups, one for individual
    placements."""

    class Kind(models.TextChoices):
        GROUP = "group", _("Fiche de groupe")
        INDIVIDUAL = "individual", _("Fiche de stage individuel")

    cohort_course = models.ForeignKey(
        CohortCourse,
        verbose_name=_("cours de la cohorte"),
        on_delete=models.CASCADE,
        related_name="worksheets",
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["cohort_course", "kind"]
        verbose_name = _("fiche de travail")
        verbose_name_plural = _("fiches de travail")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort_course", "kind"], name="placements_worksheet_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.cohort_course}"

    @property
    def short_label(self) -> str:
        """« Grp » / « Indiv », as the « Action » column of the enrolments shows."""
        return "Grp" if self.kind == self.Kind.GROUP else "Indiv"


class CohortEnrollment(models.Model):
    """A student enrolled for a cohort course (« Inscriptions pour ce cours »), or an
    « étudiant fictif » holding their place until the real student is known."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Inscrit")
        EXEMPTED = "exempted", _("Dispensé")

    cohort_course = models.ForeignKey(
        CohortCourse,
        verbose_name=_("cours de la cohorte"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("étudiant"),
        on_delete=models.PROTECT,
        related_name="placement_enrollments",
        null=True,
        blank=True,
    )
    fictitious_number = models.PositiveSmallIntegerField(
        _("numéro de l'étudiant fictif"), null=True, blank=True
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    worksheet = models.ForeignKey(
        Worksheet,
        verbose_name=_("copié à la fiche"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrollments",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ajouté par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        ordering = ["cohort_course", "pk"]
        verbose_name = _("inscription au stage")
        verbose_name_plural = _("inscriptions aux stages")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort_course", "student"],
                condition=Q(student__isnull=False),
                name="placements_cohortenrollment_student_once",
            ),
            models.UniqueConstraint(
                fields=["cohort_course", "fictitious_number"],
                condition=Q(fictitious_number__isnull=False),
                name="placements_cohortenrollment_fictitious_once",
            ),
            # Either a real student or a numbered fictitious one, never both nor neither.
            models.CheckConstraint(
                condition=(Q(student__isnull=False) & Q(fictitious_number__isnull=True))
                | (Q(student__isnull=True) & Q(fictitious_number__gte=1)),
                name="placements_cohortenrollment_student_or_fictitious",
            ),
        ]
        indexes = [
            models.Index(fields=["student"], name="placements_enrollment_student"),
        ]

    def __str__(self) -> str:
        if self.student_id is None:
            return str(_("Étudiant fictif %(number)s") % {"number": self.fictitious_number})
        return f"{self.student.da_display} {self.student.full_name}"

    @property
    def is_fictitious(self) -> bool:
        return self.student_id is None


class Preference(models.Model):
    """A ranked choice of a student for a course: agency, and optionally site and service."""

    enrollment = models.ForeignKey(
        CohortEnrollment,
        verbose_name=_("inscription"),
        on_delete=models.CASCADE,
        related_name="preferences",
    )
    rank = models.PositiveSmallIntegerField(_("rang"))
    agency = models.ForeignKey(
        Agency, verbose_name=_("organisme"), on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["enrollment", "rank"]
        verbose_name = _("préférence")
        verbose_name_plural = _("préférences")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "rank"], name="placements_preference_one_per_rank"
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=MAX_PREFERENCES),
                name="placements_preference_rank_range",
            ),
            models.CheckConstraint(
                condition=Q(service__isnull=True) | Q(site__isnull=False),
                name="placements_preference_service_needs_site",
            ),
        ]

    def __str__(self) -> str:
        return " / ".join(str(part) for part in (self.agency, self.site, self.service) if part)


class ReasonCode(models.Model):
    """A reason for refusing or cancelling a request (a code table administrators edit)."""

    class Kind(models.TextChoices):
        REFUSAL = "refusal", _("Refus")
        CANCELLATION = "cancellation", _("Annulation")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=10)
    label = models.CharField(_("libellé"), max_length=200)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("raison de refus ou d'annulation")
        verbose_name_plural = _("raisons de refus ou d'annulation")
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="placements_reasoncode_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.label}"


class PlacementRequest(Schedule):
    """A place of a worksheet and, once copied to the outbox, the request (« demande de
    stage ») sent to the receiving agency. Its status changes only through
    placements/services/requests.py (``request_set_status``), each change kept as a
    RequestEvent."""

    class Status(models.TextChoices):
        # A place planned in the worksheet, not in the outbox yet.
        PLANNED = "planned", _("Planifiée")
        NEW = "new", _("Nouvelle")
        SENT = "sent", _("Env")
        SENT_PDF = "sent_pdf", _("Env-P")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")
        CANCELLED = "cancelled", _("Annulée")

    class Origin(models.TextChoices):
        SCRATCH = "scratch", _("Créée à zéro")
        COPY = "copy", _("Copiée d'une fiche de travail")
        PREFERENCE = "preference", _("Créée d'après les préférences")

    # Places that no longer count (greyed with « 0 » in the worksheet).
    LOST = (Status.REFUSED, Status.CANCELLED)
    IN_OUTBOX = (
        Status.NEW,
        Status.SENT,
        Status.SENT_PDF,
        Status.ACCEPTED,
        Status.REFUSED,
        Status.CANCELLED,
    )

    worksheet = models.ForeignKey(
        Worksheet,
        verbose_name=_("fiche de travail"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("organisme"), on_delete=models.PROTECT, related_name="requests"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="requests",
        null=True,
        blank=True,
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="requests",
        null=True,
        blank=True,
    )
    destination = models.ForeignKey(
        Destination,
        verbose_name=_("destination"),
        on_delete=models.PROTECT,
        related_name="requests",
        null=True,
        blank=True,
    )
    group_size = models.PositiveSmallIntegerField(_("taille du groupe"), default=1)
    destination_group_size = models.PositiveSmallIntegerField(
        _("taille du groupe à la destination"), default=1
    )
    teacher = models.CharField(_("enseignant"), max_length=120, blank=True)
    comment = models.TextField(_("commentaire"), max_length=2000, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    held_until = models.DateField(_("en attente jusqu'au"), null=True, blank=True)
    origin = models.CharField(_("origine"), max_length=10, choices=Origin.choices)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copiée de"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Part 2 (sending and answers).
    due_date = models.DateField(_("date d'échéance"), null=True, blank=True)
    # The placing side's contact person printed on the request (« l'expéditeur »): the
    # coordinator who sends, unless they name another (a course supervisor).
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne-ressource (expéditeur)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    reason = models.ForeignKey(
        ReasonCode,
        verbose_name=_("raison"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason_text = models.CharField(_("précisions"), max_length=300, blank=True)
    # Whom the answer came from: the receiver in their space, or the placing coordinator
    # « au nom de l'organisme » (a receiver that does not use the system).
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("réponse entrée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_on_behalf = models.BooleanField(_("réponse au nom de l'organisme"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        ordering = ["worksheet", "agency__name", "pk"]
        verbose_name = _("demande de stage")
        verbose_name_plural = _("demandes de stage")
        constraints = [
            models.CheckConstraint(
                condition=Q(group_size__gte=1, group_size__lte=MAX_GROUP_SIZE),
                name="placements_placementrequest_group_size_range",
            ),
            models.CheckConstraint(
                condition=Q(destination_group_size__gte=1)
                & Q(destination_group_size__lte=F("group_size")),
                name="placements_placementrequest_destination_size_range",
            ),
            models.CheckConstraint(
                condition=Q(service__isnull=True) | Q(site__isnull=False),
                name="placements_placementrequest_service_needs_site",
            ),
            models.CheckConstraint(
                condition=Q(destination__isnull=True) | Q(service__isnull=False),
                name="placements_placementrequest_destination_needs_service",
            ),
            *_schedule_constraints("placementrequest"),
        ]
        indexes = [
            # The outbox and the welcome page's counts read requests by status.
            models.Index(fields=["worksheet", "status"], name="placements_request_status"),
            # The receivers' space and the over-allocation report read by agency / service.
            models.Index(fields=["agency", "status"], name="placements_request_agency"),
            models.Index(fields=["service", "status"], name="placements_request_service"),
        ]
        permissions = [
            ("answer_placementrequest", _("Répondre aux demandes reçues par son organisme")),
        ]

    def __str__(self) -> str:
        return str(_("Demande %(number)s") % {"number": self.pk})

    @property
    def is_lost(self) -> bool:
        return self.status in self.LOST

    @property
    def counted_places(self) -> int:
        """The places this request offers to students: 0 once refused or cancelled."""
        return 0 if self.is_lost else self.group_size

    @property
    def where(self) -> str:
        return " / ".join(
            str(part) for part in (self.agency, self.site, self.service, self.destination) if part
        )


class RequestEvent(models.Model):
    """One status change of a request: who, when, from, to, why (the request's history)."""

    request = models.ForeignKey(
        PlacementRequest,
        verbose_name=_("demande"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    from_status = models.CharField(
        _("de"), max_length=10, choices=PlacementRequest.Status.choices, blank=True
    )
    to_status = models.CharField(_("à"), max_length=10, choices=PlacementRequest.Status.choices)
    reason = models.CharField(_("raison"), max_length=300, blank=True)

    class Meta:
        ordering = ["request", "at", "pk"]
        verbose_name = _("changement de statut")
        verbose_name_plural = _("changements de statut")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


class Assignment(models.Model):
    """A student (or a fictitious one) assigned to a request: temporarily, or final and
    disclosed to the receiver (part 2)."""

    class Status(models.TextChoices):
        TEMPORARY = "temporary", _("Temporaire")
        FINAL = "final", _("Confirmée")

    request = models.ForeignKey(
        PlacementRequest,
        verbose_name=_("demande"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    enrollment = models.OneToOneField(
        CohortEnrollment,
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="assignment",
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.TEMPORARY
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("affecté par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("affecté le"), auto_now_add=True)
    disclosed_at = models.DateTimeField(_("divulgué le"), null=True, blank=True)

    class Meta:
        ordering = ["request", "pk"]
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")

    def __str__(self) -> str:
        return f"{self.enrollment} → {self.request}"


# --------------------------------------------------------------------------------------
# Part 2: the receiving side, sending, the print queue, capacities and matching
# --------------------------------------------------------------------------------------


class ReceivingCoordinator(models.Model):
    """``user`` answers, for ``agency``, the requests sent to it (« coordination receveur »):
    sees its pending requests, accepts or refuses them and sees the students disclosed.
    Another agency's requests answer 404 (placements/selectors/receiving.py; decision 0016).
    """

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("organisme"),
        on_delete=models.CASCADE,
        related_name="receiving_coordinators",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="received_agencies",
    )

    class Meta:
        ordering = ["agency__name", "user__username"]
        verbose_name = _("coordination receveur")
        verbose_name_plural = _("coordinations receveurs")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "user"], name="placements_receivingcoordinator_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.agency}"


class ServiceCapacity(models.Model):
    """How many students, all programs together, ``service`` takes at once between
    ``start_date`` and ``end_date`` (edited in the admin). The over-allocation warnings and
    report compare the requests sent or accepted there with it
    (placements/selectors/capacity.py)."""

    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="capacities",
    )
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(_("date de fin"))
    capacity = models.PositiveSmallIntegerField(_("capacité (étudiants à la fois)"))

    class Meta:
        ordering = ["service", "start_date"]
        verbose_name = _("capacité d'accueil")
        verbose_name_plural = _("capacités d'accueil")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="placements_servicecapacity_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=999),
                name="placements_servicecapacity_capacity_range",
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.start_date:%d/%m/%Y} – {self.end_date:%d/%m/%Y}"
        return f"{self.service} : {self.capacity} ({period})"


class SendBatch(models.Model):
    """One « Envoyer » of the outbox: the options chosen and, for the requests sent as PDF
    (Env-P), the reports of the print queue its background job makes."""

    # The outbox it was sent from: the print queue's scope (placements/selectors/scope.py).
    cohort_course = models.ForeignKey(
        CohortCourse,
        verbose_name=_("cours de la cohorte"),
        on_delete=models.CASCADE,
        related_name="send_batches",
    )
    # None when sent by ``manage.py release_placement_requests``.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True)
    individual_files = models.BooleanField(
        _("fichiers PDF individuels pour chaque demande de stage/destination"), default=True
    )
    detailed_schedule = models.BooleanField(_("ajouter l'horaire de stage détaillé"), default=False)
    due_date = models.DateField(_("date d'échéance"), null=True, blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne-ressource (expéditeur)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # True when sent by ``manage.py release_placement_requests`` (« En attente jusqu'au »).
    by_release = models.BooleanField(_("envoi différé"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("envoi de demandes")
        verbose_name_plural = _("envois de demandes")

    def __str__(self) -> str:
        return str(_("Envoi %(number)s") % {"number": self.pk})


class PrintReport(models.Model):
    """A PDF of the « File d'impression » (« rapport réacheminé »): one request, or one
    agency's requests of a send, for a receiver that does not use the system. Made by the
    send's background job; delivered by e-mail from the app or by hand (« Livré »)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En préparation")
        READY = "ready", _("Prêt")
        FAILED = "failed", _("Échec")

    batch = models.ForeignKey(
        SendBatch, verbose_name=_("envoi"), on_delete=models.CASCADE, related_name="reports"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("organisme"), on_delete=models.PROTECT, related_name="+"
    )
    # The site every request of the report is at (None when they are at several).
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requests = models.ManyToManyField(
        PlacementRequest, verbose_name=_("demandes"), related_name="print_reports"
    )
    # The file's name in e-mails and downloads is made of this token: it cannot be guessed
    # from the request's number (the guide: « le nom du fichier crypté »).
    token = models.CharField(_("jeton"), max_length=40, unique=True)
    file = models.FileField(_("fichier"), upload_to="stages/rapports/", blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("livré le"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("livré par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    emails = models.ManyToManyField(
        "registrar.SentEmail", verbose_name=_("courriels envoyés"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rapport de la file d'impression")
        verbose_name_plural = _("rapports de la file d'impression")
        indexes = [
            models.Index(fields=["status", "delivered_at"], name="placements_report_queue"),
        ]

    def __str__(self) -> str:
        return f"demande-stage-{self.token}.pdf"

    @property
    def filename(self) -> str:
        return f"demande-stage-{self.token}.pdf"


class MatchingRun(models.Model):
    """A matching proposal applied to a worksheet (« Proposition d'affectation »): the rule,
    the random seed that broke the ties, what was assigned (``result``: [[enrollment id,
    request id], …]), who applied it and when. Applying it is one audited action
    (placements/services/matching.py)."""

    worksheet = models.ForeignKey(
        Worksheet,
        verbose_name=_("fiche de travail"),
        on_delete=models.CASCADE,
        related_name="matching_runs",
    )
    rule = models.CharField(_("règle"), max_length=60)
    seed = models.BigIntegerField(_("graine aléatoire"))
    result = models.JSONField(_("affectations"), default=list)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appliquée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("appliquée le"), auto_now_add=True)

    class Meta:
        ordering = ["-applied_at", "-pk"]
        verbose_name = _("proposition d'affectation appliquée")
        verbose_name_plural = _("propositions d'affectation appliquées")

    def __str__(self) -> str:
        return f"{self.worksheet} – {self.rule} ({self.seed})"
