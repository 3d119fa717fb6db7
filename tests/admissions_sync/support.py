"""Files of Parcoursup's admissions export for the tests: the demo's generator
(admissions_sync/demo.py), written in memory, and an import through the service."""

import io

from admissions_sync.demo import HEADER, export_rows
from admissions_sync.services.imports import import_file

__all__ = ["HEADER", "csv_file", "export_rows", "import_rows", "rows_file"]


def rows_file(rows, *, name="parcoursup.csv", encoding="utf-8-sig", header=HEADER) -> io.BytesIO:
    """``rows`` (lists of cells, HEADER's columns unless ``header``) as an export file."""
    stream = io.BytesIO()
    text = ";".join(header) + "\r\n" + "".join(";".join(row) + "\r\n" for row in rows)
    stream.write(text.encode(encoding))
    stream.seek(0)
    stream.name = name
    return stream


def csv_file(text: str, *, name="parcoursup.csv", encoding="utf-8") -> io.BytesIO:
    stream = io.BytesIO(text.encode(encoding))
    stream.name = name
    return stream


def import_rows(formation, rows, *, actor=None, force=False, name="parcoursup.csv"):
    """Import ``rows`` into ``formation`` as the command does; the run."""
    return import_file(
        actor=actor,
        formation=formation,
        uploaded=rows_file(rows, name=name),
        file_name=name,
        force=force,
    )


def desk_formation(code="6543", *, fees=(("Droits d'inscription", "178.00", True),)):
    """A formation ready for the desk: its program, grid, org unit and admission term set,
    and its fee table (label, amount, exempt for scholarship holders)."""
    from tests.factories import (
        FeeFactory,
        FormationFactory,
        OrgUnitFactory,
        ProgramFactory,
        TermFactory,
    )

    formation = FormationFactory(code=code)
    formation.program = ProgramFactory()
    formation.grid_code = f"BTS-{code}"
    formation.org_unit = OrgUnitFactory()
    formation.admission_term = TermFactory()
    formation.save()
    for order, (label, amount, exempt) in enumerate(fees):
        FeeFactory(
            formation=formation, label=label, amount=amount, scholarship_exempt=exempt, order=order
        )
    return formation


def imported_applicants(formation, count=5, *, seed=2026, first_number=1_200_001):
    """Import ``count`` « Oui » applicants into ``formation``; the present applicants, in
    candidate-number order (all adults with an e-mail address: the demo's generator)."""
    from admissions_sync.models import Applicant

    rows = [
        row
        for row in export_rows(count * 2, seed=seed, first_number=first_number)
        if "Oui en attente" not in row and "Non" not in row[HEADER.index("Bac obtenu")]
    ][:count]
    import_rows(formation, rows)
    return list(
        Applicant.objects.filter(formation=formation, removed_at__isnull=True).order_by(
            "candidate_number"
        )
    )


def open_applicant_session(client, applicant):
    """Issue a pre-registration link to ``applicant`` and open it with ``client`` (the
    applicant's pages then find the applicant in the client's session); the token."""
    import datetime

    from admissions_sync.services.links import PURPOSE
    from registrar.public_links import issue_link

    _link, token = issue_link(
        actor=None, purpose=PURPOSE, target=applicant, ttl=datetime.timedelta(days=1)
    )
    response = client.get(f"/admissions/preinscription/lien/{token}/")
    assert response.status_code == 302, response.status_code
    return token
