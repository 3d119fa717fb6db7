"""factory_boy factories for every model of the core records."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from registrar import models
from registrar.validators import build_permanent_code

# Cycled: every TermFactory call draws one, even with a code given, and a whole run makes
# more than the 300 terms of the century (get_or_create then finds the term again).
_term_codes = itertools.cycle(
    itertools.product(range(2000, 2100), (("H", 1, 15), ("E", 5, 15), ("A", 8, 20)))
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = factory.Faker("last_name", locale="fr_CA")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("secret-password")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """``UserFactory(roles=[REGISTRAR_STAFF])`` puts the user in those roles' groups."""
        if create and extracted:
            self.groups.add(*(Group.objects.get(name=role.name) for role in extracted))


def _code_table_factory(model):
    return type(
        f"{model.__name__}Factory",
        (factory.django.DjangoModelFactory,),
        {
            "Meta": type("Meta", (), {"model": model, "django_get_or_create": ("code",)}),
            "code": factory.Sequence(lambda n: f"T{n}"),
            "label": factory.Sequence(lambda n: f"Libellé {n}"),
        },
    )


CODE_TABLE_FACTORIES = {model: _code_table_factory(model) for model in models.CODE_TABLES}
LanguageFactory = CODE_TABLE_FACTORIES[models.Language]


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OrgUnit
        django_get_or_create = ("code",)

    code = "RA"
    name = "Cégep Marie-Victorin - Reconnaissance des acquis"


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Term
        django_get_or_create = ("code",)

    class Params:
        spec = factory.LazyFunction(lambda: next(_term_codes))

    code = factory.LazyAttribute(lambda t: f"{t.spec[1][0]}-{t.spec[0]}")
    start_date = factory.LazyAttribute(
        lambda t: datetime.date(int(t.code[2:]), {"H": 1, "E": 5, "A": 8}[t.code[0]], 15)
    )
    end_date = factory.LazyAttribute(lambda t: t.start_date + datetime.timedelta(days=110))


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Program
        django_get_or_create = ("code",)

    code = "JEE.0K"
    title = "Techniques d'éducation à l'enfance"


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Student

    da_number = factory.Sequence(lambda n: f"{9000000 + n:07d}")
    last_name = factory.Faker("last_name", locale="fr_CA")
    first_name = factory.Faker("first_name", locale="fr_CA")
    sex = factory.Iterator(["F", "M"])
    birth_date = factory.Sequence(lambda n: datetime.date(1990, 1, 1) + datetime.timedelta(days=n))
    permanent_code = factory.LazyAttributeSequence(
        lambda s, n: build_permanent_code(s.last_name, s.first_name, s.birth_date, s.sex, n)
    )
    email = factory.LazyAttribute(lambda s: f"{s.da_number}@etu.example.org")
    phone = factory.Sequence(lambda n: f"514-555-{n % 10000:04d}")
    city = "Montréal"
    region = "Québec"
    country = "Canada"


class AdmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Admission

    student = factory.SubFactory(StudentFactory)
    program = factory.SubFactory(ProgramFactory)
    grid_code = "JEE0K-17R-RA"
    org_unit = factory.SubFactory(OrgUnitFactory)
    term = factory.SubFactory(TermFactory, code="A-2017")
    status = models.Admission.Status.ACTIVE


class DisciplineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Discipline
        django_get_or_create = ("code",)

    code = "601"
    title = "Français, langue d'enseignement et littérature"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Course
        django_get_or_create = ("number",)

    discipline = factory.SubFactory(DisciplineFactory)
    number = factory.Sequence(lambda n: f"601-{100 + n % 900:03d}-MQ")
    title = factory.Sequence(lambda n: f"Écriture et littérature {n}")
    objective_code = "4EF0"
    official_number = factory.LazyAttribute(lambda c: c.number)
    sobec_number = factory.LazyAttribute(lambda c: c.number.replace("-", ""))
    weighting = "2-2-3"
    units = "2.33"
    hours = 60


class CourseGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CourseGroup

    course = factory.SubFactory(CourseFactory)
    term = factory.SubFactory(TermFactory, code="H-2018")
    number = factory.Sequence(lambda n: f"{n % 100000:05d}")
    capacity = 30


class TermRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrollment.TermRecord"

    admission = factory.SubFactory(AdmissionFactory)
    student = factory.SelfAttribute("admission.student")
    term = factory.SubFactory(TermFactory, code="H-2018")


def _code(model, code):
    return factory.LazyFunction(lambda: model.objects.get(code=code))


class CourseEnrollmentFactory(factory.django.DjangoModelFactory):
    """An enrolment with the window's defaults; ``group`` in the record's term."""

    class Meta:
        model = "enrollment.CourseEnrollment"

    term_record = factory.SubFactory(TermRecordFactory)
    course = factory.SubFactory(CourseFactory)
    group = factory.SubFactory(
        CourseGroupFactory,
        course=factory.SelfAttribute("..course"),
        term=factory.SelfAttribute("..term_record.term"),
    )
    org_unit = factory.SelfAttribute("term_record.admission.org_unit")
    language = _code(models.Language, "FR")
    funding_source = _code(models.FundingSource, "10")
    rac_mode = _code(models.RacMode, "SO")
    distance_mode = _code(models.DistanceMode, "SO")
    prerequisite_rule = _code(models.PrerequisiteRule, "1")
    assignment_state = _code(models.AssignmentState, "0")
    census_status = _code(models.CensusStatus, "0")


# --------------------------------------------------------------------------------------
# Certification
# --------------------------------------------------------------------------------------


class CertificationCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certification.CertificationCenter"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Collège Jean-Moulin {n}")
    type = "SCO"
    external_id = factory.Sequence(lambda n: f"0690{n:03d}X")

    @factory.post_generation
    def staff(self, create, extracted, **kwargs):
        """``CertificationCenterFactory(staff=[user])`` makes them members of the centre."""
        if create and extracted:
            for user in extracted:
                self.memberships.create(user=user)


class CertificationSessionFactory(factory.django.DjangoModelFactory):
    """A session in the future (candidates can still be added)."""

    class Meta:
        model = "certification.CertificationSession"

    center = factory.SubFactory(CertificationCenterFactory)
    number = factory.Sequence(lambda n: 200_000 + n)
    name = factory.Sequence(lambda n: f"Certification Pix 3e {n}")
    site = "Bâtiment A"
    room = "Salle 12"
    date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))
    start_time = datetime.time(14, 0)
    invigilators = "Mme Durand"
    access_code = factory.Sequence(lambda n: f"KXR{'ABCDEFGHJK'[n % 10]}{10 + n % 90:02d}")
    invigilator_password = "pix-surv1"
    created_by = factory.SubFactory(UserFactory)


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certification.Candidate"

    session = factory.SubFactory(CertificationSessionFactory)
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    sex = factory.Iterator(["F", "M"])
    birth_date = factory.Sequence(lambda n: datetime.date(2010, 1, 1) + datetime.timedelta(days=n))
    birth_insee_code = "25056"
    birth_postal_code = "25000"
    birth_city = "Besançon"
    birth_department = "Doubs"
    birth_country = "France"
    class_name = "3eB"
    added_by = factory.SubFactory(UserFactory)


# --------------------------------------------------------------------------------------
# Placements
# --------------------------------------------------------------------------------------


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.Agency"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"CISSS de la Montérégie {n}")
    address = "3120, boulevard Taschereau"
    city = "Greenfield Park"
    province = "QC"
    postal_code = "J4V 2H1"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.Site"

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Hôpital Charles-Le Moyne {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.Service"

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Médecine {n}")


class DestinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.Destination"

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Unité {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.Contact"

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Faker("name", locale="fr_CA")
    role = "Coordonnatrice des stages"
    email = factory.Sequence(lambda n: f"stages{n}@cisss.example.org")
    phone = "450-466-5000"


class ProgramCoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.ProgramCoordinator"
        django_get_or_create = ("program", "user")

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.Cohort"

    program = factory.SubFactory(ProgramFactory, code="180.A0", title="Soins infirmiers")
    name = factory.Sequence(lambda n: f"Soins infirmiers – entrée A-2026 ({n})")
    start_term = factory.SubFactory(TermFactory, code="A-2026")
    end_term = factory.SubFactory(TermFactory, code="H-2027")
    created_by = factory.SubFactory(UserFactory)


class CohortCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.CohortCourse"

    cohort = factory.SubFactory(CohortFactory)
    course = factory.SubFactory(CourseFactory)
    term = factory.SubFactory(TermFactory, code="H-2027")
    start_date = datetime.date(2027, 2, 1)
    end_date = datetime.date(2027, 3, 26)
    weekdays = 7  # Monday, Tuesday, Wednesday
    start_time = datetime.time(7, 30)
    end_time = datetime.time(15, 30)
    shift_code = "D8"


class CohortEnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.CohortEnrollment"

    cohort_course = factory.SubFactory(CohortCourseFactory)
    student = factory.SubFactory(StudentFactory)
    added_by = factory.SubFactory(UserFactory)


class WorksheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.Worksheet"
        django_get_or_create = ("cohort_course", "kind")

    cohort_course = factory.SubFactory(CohortCourseFactory)
    kind = "group"


class PlacementRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.PlacementRequest"

    worksheet = factory.SubFactory(WorksheetFactory)
    site = factory.SubFactory(SiteFactory)
    agency = factory.LazyAttribute(lambda r: r.site.agency)
    group_size = 4
    destination_group_size = 4
    origin = "scratch"
    created_by = factory.SubFactory(UserFactory)
    start_date = datetime.date(2027, 2, 1)
    end_date = datetime.date(2027, 3, 26)
    weekdays = 7


class ReceivingCoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.ReceivingCoordinator"
        django_get_or_create = ("agency", "user")

    agency = factory.SubFactory(AgencyFactory, uses_system=True)
    user = factory.SubFactory(UserFactory)


class ServiceCapacityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.ServiceCapacity"

    service = factory.SubFactory(ServiceFactory)
    start_date = datetime.date(2027, 1, 4)
    end_date = datetime.date(2027, 5, 28)
    capacity = 6


class SendBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.SendBatch"

    cohort_course = factory.SubFactory(CohortCourseFactory)
    created_by = factory.SubFactory(UserFactory)


class PrintReportFactory(factory.django.DjangoModelFactory):
    """A report of the print queue; ``requests`` (a list) are attached after creation."""

    class Meta:
        model = "placements.PrintReport"
        skip_postgeneration_save = True

    batch = factory.SubFactory(SendBatchFactory)
    agency = factory.SubFactory(AgencyFactory)
    token = factory.Sequence(lambda n: f"tok{n:04d}abcdefghijklmnopqrstuv")
    status = "ready"

    @factory.post_generation
    def requests(self, create, extracted, **kwargs):
        if create and extracted:
            self.requests.set(extracted)


class FormationFactory(factory.django.DjangoModelFactory):
    """A Parcoursup formation (admissions_sync)."""

    class Meta:
        model = "admissions_sync.Formation"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{6000 + n}")
    label = factory.Sequence(lambda n: f"BTS démonstration {n}")
    uai = "0751234A"


class FeeFactory(factory.django.DjangoModelFactory):
    """A line of a formation's fee table (admissions_sync)."""

    class Meta:
        model = "admissions_sync.Fee"

    formation = factory.SubFactory(FormationFactory)
    label = "Droits d'inscription"
    amount = "178.00"
    scholarship_exempt = True
