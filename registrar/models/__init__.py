"""The core records every workflow builds on.

Invariants are database constraints named ``registrar_<model>_<rule>``; the validators in
``registrar.validators`` give the French messages the forms show before the database would
refuse a row.
"""

from registrar.models.audit import AuditEntry
from registrar.models.codes import (
    CODE_TABLES,
    AssignmentState,
    CancellationReason,
    CensusStatus,
    CodeTable,
    DistanceMode,
    EnrollmentCategory,
    FundingSource,
    Language,
    PartnerSituation,
    PrerequisiteRule,
    RacMode,
    RefusalReason,
)
from registrar.models.courses import (
    Course,
    CourseGroup,
    CoursePrerequisite,
    Discipline,
    RacCorrespondence,
)
from registrar.models.geography import Commune, CommunePostalCode
from registrar.models.institution import OrgUnit, Program, Term, TermQuerySet
from registrar.models.jobs import Job
from registrar.models.mail import SentEmail
from registrar.models.public_links import PublicLink
from registrar.models.students import Admission, Student
from registrar.models.throttle import FailedAttempt
from registrar.models.workers import WorkerHeartbeat

__all__ = [
    "CODE_TABLES",
    "Admission",
    "AssignmentState",
    "AuditEntry",
    "CancellationReason",
    "CensusStatus",
    "CodeTable",
    "Commune",
    "CommunePostalCode",
    "Course",
    "CourseGroup",
    "CoursePrerequisite",
    "Discipline",
    "DistanceMode",
    "EnrollmentCategory",
    "FailedAttempt",
    "FundingSource",
    "Job",
    "Language",
    "OrgUnit",
    "PartnerSituation",
    "PrerequisiteRule",
    "Program",
    "PublicLink",
    "RacCorrespondence",
    "RacMode",
    "RefusalReason",
    "SentEmail",
    "Student",
    "Term",
    "TermQuerySet",
    "WorkerHeartbeat",
]
