"""A tracked background job's page, progress and file (registrar/models/jobs.py), whatever
app asked for it. Who may see a job: registrar.jobs.job_for (404 otherwise)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from registrar import jobs
from registrar.downloads import file_response, kind_of
from registrar.models import Job

# htmx stops polling an element whose request is answered with this status
# (htmx's documentation, « Polling »); the content is still swapped in.
STOP_POLLING = 286


@require_GET
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page: its progress bar until it is done, then its file.

    Asked by htmx (the progress partial polling), the inside of the partial alone, with
    HTTP 286 once the job is finished, which stops htmx's polling; with « ?telecharger=1 »,
    a job found done also sends the browser to its file (HX-Redirect); a job whose result
    is a page sends the browser there, always.
    Asked by a browser, a done job redirects to its file (or its page): the link that
    enqueued it ends with the download, as when the file was made inside the request."""
    job = jobs.job_for(request.user, pk)
    kind = jobs.kind_of(job.kind)
    context = {"job": job, "kind": kind}
    if request.htmx:
        response = render(
            request,
            "includes/job_status.html",
            context,
            status=200 if job.is_active else STOP_POLLING,
        )
        if job.status == Job.Status.DONE and job.result_url:
            # Work whose outcome is a page (a batch execution's report): the page showing
            # its progress moves there by itself.
            response["HX-Redirect"] = job.result_url
        elif job.status == Job.Status.DONE and request.GET.get("telecharger"):
            response["HX-Redirect"] = reverse("registrar:job_file", args=[job.pk])
        return response
    if job.status == Job.Status.DONE:
        return redirect(job.result_url or reverse("registrar:job_file", args=[job.pk]))
    back = kind.target_url(job.target_id) if kind.target_url else ""
    return render(request, "registrar/job_detail.html", {**context, "back": back})


@require_GET
@login_required
def job_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's file once it is done; before, its page."""
    job = jobs.job_for(request.user, pk)
    if job.result_url and job.status == Job.Status.DONE:
        return redirect(job.result_url)
    content = jobs.result_of(job)
    if content is None:
        return redirect("registrar:job_detail", pk=job.pk)
    return file_response(content, filename=job.result_name, kind=kind_of(job.result_type))
