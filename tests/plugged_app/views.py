from django.http import HttpResponse
from django.utils import timezone

from registrar.activity import Operation


def index(request):
    return HttpResponse("Page de l'appli branchée")


def file_section(request, pk):
    return HttpResponse(f"Volet branché de l'étudiant {pk}")


def my_operations(user, limit):
    return [
        Operation(
            label="Opération branchée",
            kind="Branchée",
            status="Terminée",
            started_at=timezone.now(),
            url="/branchee/",
        )
    ]
