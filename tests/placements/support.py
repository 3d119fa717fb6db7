"""Placements test fixtures: a placing world of two programs, each with its coordinator (the
personas placement_coordinator and other_program_coordinator), a cohort and a course in each."""

from dataclasses import dataclass

import pytest
from django.test import Client

from placements.models import CohortCourse
from tests.factories import (
    CohortCourseFactory,
    CohortFactory,
    ProgramCoordinatorFactory,
    ProgramFactory,
)


@dataclass
class World:
    course: CohortCourse  # placement_coordinator's
    other_course: CohortCourse  # other_program_coordinator's


@pytest.fixture
def world(db, placement_coordinator, other_program_coordinator) -> World:
    nursing = ProgramFactory(code="180.A0", title="Soins infirmiers")
    respiratory = ProgramFactory(code="141.A0", title="Techniques d'inhalothérapie")
    ProgramCoordinatorFactory(program=nursing, user=placement_coordinator)
    ProgramCoordinatorFactory(program=respiratory, user=other_program_coordinator)
    course = CohortCourseFactory(cohort=CohortFactory(program=nursing))
    other = CohortCourseFactory(
        cohort=CohortFactory(program=respiratory, name="Inhalothérapie – entrée A-2026")
    )
    return World(course=course, other_course=other)


@pytest.fixture
def coordinator_client(placement_coordinator) -> Client:
    client = Client()
    client.force_login(placement_coordinator)
    return client
