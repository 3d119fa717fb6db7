"""The scenarios of issue 16's scale test, each bounded in count and time, printing what it
checks and its figures. Each returns nothing and raises AssertionError when a check fails
(the harness, scripts/scale_test.py, records it and goes on with the next one)."""

import re
import signal
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from scale_test.client import Browser
from scale_test.stack import wait_for


def say(text: str) -> None:
    print(f"    {text}", flush=True)


def check(condition: bool, text: str) -> None:
    """A check: printed « ok » or « ÉCHEC », and the scenario stops on a failure."""
    print(f"    [{'ok' if condition else 'ÉCHEC'}] {text}", flush=True)
    if not condition:
        raise AssertionError(text)


class Context:
    """What the scenarios share: the stack, the seed's ids, the database."""

    def __init__(self, stack, seed: dict, db, s3, bucket: str, stale_seconds: int):
        self.stack = stack
        self.seed = seed
        self.db = db
        self.s3 = s3
        self.bucket = bucket
        self.stale_seconds = stale_seconds

    def sql(self, query: str, params=()) -> list[tuple]:
        with self.db.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    def one(self, query: str, params=()):
        return self.sql(query, params)[0][0]

    def s3_keys(self, prefix: str) -> list[str]:
        keys = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        ):
            keys += [item["Key"] for item in page.get("Contents", [])]
        return keys

    def browser(self, server: str | None = None, *, address: str = "198.51.100.7") -> Browser:
        base = self.stack.web(server) if server else self.stack.origin
        return Browser(base, origin=self.stack.origin, client_address=address)

    def signed_in(self, username: str, password: str, server: str | None = None) -> Browser:
        browser = self.browser(server)
        answer = browser.login(username, password)
        check(
            answer.status == 302 and "sessionid" in browser.cookies,
            f"{username} signed in through {server or 'nginx'} (status {answer.status})",
        )
        return browser

    def worker_pids(self) -> dict[int, str]:
        return {
            process.pid: name
            for name, process in self.stack.processes.items()
            if name.startswith("worker")
        }


def _worker_pid(worker: str) -> int:
    """Job.worker is « host:pid:token » (registrar/tasks.py)."""
    return int(worker.split(":")[-2])


# --- the login lockout holds across app servers --------------------------------------------


def login_lockout(ctx: Context) -> None:
    say("5 wrong passwords for « echelle-verrou » through app server web1, then the right one")
    say("through web2, from the same client address (X-Forwarded-For, as nginx sets it)")
    address = "203.0.113.66"
    first = ctx.browser("web1", address=address)
    statuses = []
    for _ in range(5):
        statuses.append(first.login("echelle-verrou", "mauvais-mot-de-passe").status)
    say(f"statuses of the wrong tries through web1: {statuses}")
    second = ctx.browser("web2", address=address)
    answer = second.login("echelle-verrou", ctx.seed["password"])
    check(
        answer.status != 302 and "sessionid" not in second.cookies,
        f"the right password through web2 is refused while locked out (status {answer.status})",
    )
    check(
        "verrouill" in answer.text.lower() or answer.status in (403, 429),
        "the answer is the lockout page",
    )
    other = ctx.browser("web2", address="203.0.113.67")
    answer = other.login("echelle-verrou", ctx.seed["password"])
    check(answer.status == 302, "the same account from another address signs in (per pair)")


# --- 20 concurrent « Exécuter » -------------------------------------------------------------


def concurrent_execute(ctx: Context, *, clicks: int = 20) -> None:
    operation = ctx.seed["operation"]
    students = ctx.seed["operation_students"]
    say(
        f"{clicks} concurrent « Exécuter » (mode réel) of operation {operation} ({students} "
        "students), alternately through web1 and web2, the same user's session"
    )
    demo = ctx.signed_in("demo", "demo", "web1")
    browsers = [demo.at(ctx.stack.web("web1" if i % 2 == 0 else "web2")) for i in range(clicks)]
    barrier = threading.Barrier(clicks)

    def click(browser: Browser):
        barrier.wait(30)
        started = time.monotonic()
        answer = browser.post(f"/inscriptions/operations/{operation}/executer/", {"mode": "reel"})
        return answer.status, answer.location, time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(clicks) as pool:
        answers = list(pool.map(click, browsers))
    statuses = sorted({status for status, _l, _t in answers})
    slowest = max(seconds for _s, _l, seconds in answers)
    say(
        f"answers: statuses {statuses}, slowest {slowest:.2f} s, all in "
        f"{time.monotonic() - started:.2f} s"
    )
    for status, location, _t in answers[:3]:
        say(f"  e.g. {status} → {location}")
    check(all(status in (200, 302) for status, _l, _t in answers), "no click failed (200/302)")

    def finished():
        active = ctx.one(
            "SELECT count(*) FROM registrar_job WHERE status IN ('queued', 'running') "
            "AND kind LIKE 'enrollment.%%'"
        )
        runs = ctx.one(
            "SELECT count(*) FROM enrollment_batchrun WHERE operation_id = %s "
            "AND kind = 'execution'",
            [operation],
        )
        return runs >= 1 and active == 0

    wait_for("the execution to end", finished, timeout=240, every=0.5)
    runs = ctx.sql(
        "SELECT id, status, line_count FROM enrollment_batchrun WHERE operation_id = %s "
        "AND kind = 'execution'",
        [operation],
    )
    check(len(runs) == 1, f"exactly one execution in the database ({len(runs)} BatchRun rows)")
    run_id, status, line_count = runs[0]
    lines = ctx.one("SELECT count(*) FROM enrollment_batchline WHERE run_id = %s", [run_id])
    check(
        lines == line_count == students,
        f"one report: {lines} lines for {students} students (run {run_id}, {status})",
    )
    jobs = ctx.sql(
        "SELECT kind, status, attempts FROM registrar_job WHERE kind LIKE 'enrollment.%%' "
        "ORDER BY id"
    )
    say(f"background jobs of the execution: {jobs or 'none (ran inside the request)'}")
    ctx.seed["run"] = run_id


# --- 200 PDF jobs from both servers, by both workers -----------------------------------------


def pdf_jobs(ctx: Context, *, count: int = 200) -> None:
    sessions = ctx.seed["sessions"][:count]
    say(
        f"{len(sessions)} attendance sheets (« Feuille d'émargement », one PDF job each) asked "
        "through web1 and web2 alternately, 8 at a time"
    )
    demo = ctx.signed_in("demo", "demo", "web1")
    entries = [demo.at(ctx.stack.web("web1")), demo.at(ctx.stack.web("web2"))]

    def ask(index_and_session):
        index, session = index_and_session
        answer = entries[index % 2].get(f"/certification/sessions/{session}/feuille-emargement.pdf")
        return answer.status, answer.location

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, enumerate(sessions)))
    asked = time.monotonic() - started
    check(
        all(status == 302 and "/travaux/" in location for status, location in answers),
        f"{len(answers)} jobs asked in {asked:.1f} s, each answered with its job's page",
    )
    kind = "certification.attendance_sheet"

    def all_done():
        return ctx.one(
            "SELECT count(*) FROM registrar_job WHERE kind = %s AND status IN ('done', 'failed')",
            [kind],
        ) >= len(sessions)

    wait_for(f"{len(sessions)} PDF jobs to end", all_done, timeout=420, every=1)
    made = time.monotonic() - started
    rows = ctx.sql(
        "SELECT id, status, attempts, worker, file, started_at, finished_at "
        "FROM registrar_job WHERE kind = %s",
        [kind],
    )
    say(
        f"all ended {made:.1f} s after the first was asked "
        f"({len(rows) / made:.1f} PDFs/s with 2 workers)"
    )
    check(len(rows) == len(sessions), f"{len(rows)} jobs in the database, one per request")
    check(all(row[1] == "done" for row in rows), "every job done")
    check(all(row[2] == 1 for row in rows), "each made exactly once (attempts = 1 for all)")
    by_worker: dict[str, int] = {}
    for row in rows:
        pid = _worker_pid(row[3])
        name = ctx.worker_pids().get(pid, f"pid {pid}")
        by_worker[name] = by_worker.get(name, 0) + 1
    check(len(by_worker) == 2, f"made by both workers: {by_worker}")
    keys = ctx.s3_keys("jobs/")
    per_job: dict[str, int] = {}
    for key in keys:
        per_job[key.split("/")[1]] = per_job.get(key.split("/")[1], 0) + 1
    ours = {str(row[0]) for row in rows}
    check(
        all(per_job.get(job, 0) == 1 for job in ours),
        f"one file per job in the S3 bucket ({sum(per_job.get(j, 0) for j in ours)} files "
        f"for {len(ours)} jobs)",
    )
    durations = [(row[6] - row[5]).total_seconds() for row in rows]
    say(f"one PDF: median {statistics.median(durations):.2f} s, max {max(durations):.2f} s")


# --- a worker killed mid-job -------------------------------------------------------------------


def worker_killed(ctx: Context) -> None:
    run = ctx.seed.get("run")
    check(run is not None, "the execution's report exists (previous scenario)")
    say(
        f"the report's PDF of run {run} asked through web2; the worker that runs it is killed "
        f"(SIGKILL) mid-job; JOB_STALE_SECONDS={ctx.stale_seconds}"
    )
    demo = ctx.signed_in("demo", "demo", "web2")
    answer = demo.post(f"/inscriptions/operations/rapports/{run}/pdf/", {})
    check(answer.status in (200, 302), f"asked (status {answer.status})")
    kind = "enrollment.batch_report_pdf"

    def running():
        rows = ctx.sql(
            "SELECT id, worker, progress_done FROM registrar_job WHERE kind = %s "
            "AND status = 'running'",
            [kind],
        )
        return rows[0] if rows else None

    job_id, worker, _done = wait_for("the PDF job to start", running, timeout=60, every=0.05)
    pid = _worker_pid(worker)
    victim = ctx.worker_pids().get(pid)
    check(victim is not None, f"job {job_id} is run by one of our workers ({victim}, pid {pid})")

    def under_way():
        # Mid-job: the report is being laid out (its first percents reported), not done.
        done, status = ctx.sql(
            "SELECT progress_done, status FROM registrar_job WHERE id = %s", [job_id]
        )[0]
        return done if done > 0 and status == "running" else None

    progress = wait_for("the job's first progress", under_way, timeout=60, every=0.02)
    ctx.stack.processes[victim].signal(signal.SIGKILL)
    killed_at = time.monotonic()
    ctx.stack.processes[victim].popen.wait(10)
    say(f"{victim} killed at progress {progress} % of the report")

    def ended():
        row = ctx.sql(
            "SELECT status, attempts, worker, file FROM registrar_job WHERE id = %s", [job_id]
        )[0]
        return row if row[0] in ("done", "failed") else None

    status, attempts, worker, file = wait_for(
        "the job to be taken over and finished", ended, timeout=ctx.stale_seconds + 180, every=0.5
    )
    took = time.monotonic() - killed_at
    survivor = ctx.worker_pids().get(_worker_pid(worker))
    check(status == "done", f"job {job_id} done {took:.1f} s after the kill")
    check(
        took >= ctx.stale_seconds * 0.9,
        f"taken over only after the stale delay ({took:.1f} s ≥ {ctx.stale_seconds} s)",
    )
    check(attempts == 2, f"2 attempts: the killed one and the takeover (attempts = {attempts})")
    check(survivor is not None and survivor != victim, f"finished by the other worker ({survivor})")
    keys = ctx.s3_keys(f"jobs/{job_id}/")
    check(len(keys) == 1 and file in keys, f"one file in the bucket ({len(keys)}: {keys})")
    # systemd's Restart=always brings the killed worker back.
    name = victim
    instance = name.removeprefix("worker")
    ctx.stack.stop(name)
    ctx.stack.start_worker(name, instance)
    say(f"{name} restarted (as Restart=always would)")


# --- a file uploaded through one server, read through the other -------------------------------


def shared_files(ctx: Context) -> None:
    formation = ctx.seed["formation"]
    export = ctx.seed["export_path"]
    with open(export, "rb") as stream:
        content = stream.read()
    say(
        f"a Parcoursup export ({ctx.seed['export_lines']} lines, {len(content)} bytes) uploaded "
        "through web1; its preview made by a worker; confirmed through web2; imported by a worker"
    )
    officer = ctx.signed_in("echelle-admissions", ctx.seed["password"], "web1")
    officer.get("/admissions/imports/nouveau/")
    answer = officer.post_file(
        "/admissions/imports/nouveau/",
        {"formation": str(formation)},
        field="file",
        name="export-scale.csv",
        content=content,
    )
    match = re.search(r"/admissions/imports/(\d+)/$", answer.location)
    check(answer.status == 302 and match is not None, f"uploaded (status {answer.status})")
    run = int(match.group(1))

    def outcome():
        value = ctx.one("SELECT outcome FROM admissions_sync_parcoursupimport WHERE id = %s", [run])
        return value if value not in ("running",) else None

    first = wait_for("the preview", outcome, timeout=120, every=0.5)
    check(first == "preview", f"preview ready (outcome {first!r})")
    name, checksum = ctx.sql(
        "SELECT file, checksum FROM admissions_sync_parcoursupimport WHERE id = %s", [run]
    )[0]
    check(bool(name) and name in ctx.s3_keys(name), f"the file is in the S3 bucket: {name}")
    local = [p for p in (ctx.stack.workdir / "media").rglob("*") if p.is_file()]
    check(not local, f"nothing under MEDIA_ROOT on the local disk ({len(local)} files)")
    second = officer.at(ctx.stack.web("web2"))
    page = second.get(f"/admissions/imports/{run}/")
    check(page.status == 200, "the preview read through web2")
    answer = second.post(f"/admissions/imports/{run}/confirmer/", {"checksum": checksum})
    check(answer.status == 302, f"confirmed through web2 (status {answer.status})")
    final = wait_for("the import", outcome, timeout=120, every=0.5)
    applicants = ctx.one(
        "SELECT count(*) FROM admissions_sync_applicant WHERE formation_id = %s", [formation]
    )
    check(final == "imported", f"imported (outcome {final!r}): {applicants} applicants")
    check(applicants > 0, "the applicants of the file are in the database")


# --- an app server stopped mid-run --------------------------------------------------------------


def server_stopped(ctx: Context, *, seconds: float = 12, stop_after: float = 4) -> None:
    say(
        f"6 clients write through nginx for {seconds:.0f} s (« Enregistrer » a new batch "
        f"operation, one row each); web2 is stopped (SIGTERM, as systemctl stop) after "
        f"{stop_after:.0f} s"
    )
    writer = ctx.signed_in("echelle-ecritures", ctx.seed["password"])
    user_id = ctx.one("SELECT id FROM auth_user WHERE username = 'echelle-ecritures'")
    before = ctx.one(
        "SELECT count(*) FROM enrollment_batchoperation WHERE created_by_id = %s", [user_id]
    )
    payload = {
        "action": "A",
        "create_term_record": "True",
        "simulation": "True",
        "all_or_nothing": "True",
        "_step": "save",
    }
    accepted, failed = [], []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds

    def write():
        while time.monotonic() < deadline:
            sent = time.monotonic()
            try:
                answer = writer.post("/inscriptions/operations/inscription-en-lot/", payload)
                ok = answer.status == 302 and re.search(
                    r"/operations/\d+/modifier/$", answer.location
                )
                outcome = answer.status
            except OSError as exc:
                ok, outcome = False, repr(exc)
            with lock:
                (accepted if ok else failed).append((outcome, sent - started))

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(stop_after)
    with lock:
        at_stop = len(accepted)
    stopping = time.monotonic() - started
    try:
        ctx.stack.stop("web2")
        stopped = time.monotonic() - started
        say(f"web2 stopped in {stopped - stopping:.1f} s, after {at_stop} accepted writes")
        for thread in threads:
            thread.join()
        after = ctx.one(
            "SELECT count(*) FROM enrollment_batchoperation WHERE created_by_id = %s", [user_id]
        )
        say(
            f"accepted {len(accepted)} writes ({len(accepted) - at_stop} after the stop), "
            f"failed {len(failed)}: {failed[:5]}"
        )
        check(
            after - before == len(accepted),
            f"every accepted write is in the database, nothing else ({after - before} rows "
            f"for {len(accepted)} accepted)",
        )
        # A request waiting in web2's listen queue when it closes is reset after nginx sent
        # it: nginx does not send a POST twice (proxy_next_upstream without non_idempotent),
        # so it answers 502 and nothing was written (counted above). Once web2 is gone,
        # every request goes to web1.
        late = [entry for entry in failed if entry[1] > stopped]
        check(not late, f"no request failed once web2 was down ({len(late)} failed after)")
        check(
            all(outcome == 502 for outcome, _at in failed),
            f"the {len(failed)} request(s) caught by the stop itself answered 502, unwritten",
        )
        check(len(accepted) > at_stop, "writes went on after the stop")
    finally:
        for thread in threads:
            thread.join()
        ctx.stack.start_web("web2")
    ctx.stack.start_web("web2")
    say("web2 started again")


# --- throughput with wrk --------------------------------------------------------------------------


def wrk(ctx: Context, url: str, *, seconds: int, cookie: str) -> dict:
    """`wrk -t2 -c16 -d<seconds>s` on ``url`` through nginx, sampling the database's
    connections meanwhile: requests/s, latency, errors, connections (max)."""
    samples: list[int] = []
    stop = threading.Event()
    database = ctx.stack.env["DATABASE_NAME"]

    def sample():
        while not stop.is_set():
            samples.append(
                # The application's connections: this sampler's own is left out.
                ctx.one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid()",
                    [database],
                )
            )
            stop.wait(0.5)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        done = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        stop.set()
        sampler.join()
    output = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {
        "rate": float(rate.group(1)) if rate else 0.0,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "p50_ms": float(median.group(1)) * scale[median.group(2)] if median else 0.0,
        "connections": max(samples) if samples else 0,
        "raw": output,
    }
