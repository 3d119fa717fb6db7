#!/usr/bin/env python3
"""The scale test of issue 16 (`make scale-test`, also run by .ci/run), on loopback:

nginx (deploy/nginx/registrar.conf, rendered for private ports) in front of two gunicorn app
servers and two `db_worker` processes (the ExecStart= lines of deploy/systemd/, with the
environment template deploy/registrar.env.example filled in for the test), one PostgreSQL
database of its own (registrar_scale, created and dropped), Redis (a database number of its
own) and moto's S3 server for the files. The application is set up with docs/deploy.md's
commands (migrate, collectstatic, sync_roles, load_communes), seeded (seed_demo and
scripts/scale_test/seed.py), then the scenarios run (scripts/scale_test/scenarios.py) and wrk
measures four pages with two app servers, then one.

Every process and the database are removed at the end, even on failure. Exit status 1 when
a check failed.

    .venv/bin/python scripts/scale_test.py [--students 2000] [--wrk-seconds 20]
        [--database-pool] [--only wrk] [--keep]
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

from scale_test import deploy_files, scenarios
from scale_test.stack import ROOT, Process, Stack, free_port, wait_for

DATABASE = "registrar_scale"
POSTGRES = os.environ.get("SCALE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/13")
BUCKET = "registrar-scale"
STALE_SECONDS = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=2000, help="generated students")
    parser.add_argument("--operation-students", type=int, default=1000)
    parser.add_argument("--pdf-jobs", type=int, default=200)
    parser.add_argument("--wrk-seconds", type=int, default=20)
    parser.add_argument(
        "--database-pool",
        action="store_true",
        help="app servers and workers on psycopg's pool (DATABASE_POOL) rather than "
        "persistent connections",
    )
    parser.add_argument(
        "--only", choices=["scenarios", "wrk"], help="run only the scenarios, or only wrk"
    )
    parser.add_argument("--keep", action="store_true", help="leave the temp folder (logs)")
    return parser.parse_args()


class Clock:
    def __init__(self):
        self.started = time.monotonic()

    def step(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {text}", flush=True)


def application_env(workdir: Path, *, nginx_port: int, moto_port: int, pool: bool) -> dict:
    """The environment file of docs/deploy.md — the template's values — with what differs
    on this machine: the scale database, Redis's test database, the S3 test server, private
    paths and ports, a short stale delay and a low background threshold."""
    env = {
        key: os.environ[key]
        for key in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "USER")
        if key in os.environ
    }
    env.update(deploy_files.read_env_file(deploy_files.ENV_EXAMPLE))
    origin = f"https://127.0.0.1:{nginx_port}"
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": origin,
            "SITE_URL": origin,
            "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
            "DATABASE_NAME": DATABASE,
            "REDIS_URL": REDIS,
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "scale-test",
            "AWS_SECRET_ACCESS_KEY": "scale-test",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "JOB_STALE_SECONDS": str(STALE_SECONDS),
            "BATCH_BACKGROUND_THRESHOLD": "500",
            "WEB_CONCURRENCY": "2",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if pool:
        env.update(
            {
                "CONN_MAX_AGE": "0",
                "DATABASE_POOL": "true",
                "DATABASE_POOL_MIN_SIZE": "1",
                "DATABASE_POOL_MAX_SIZE": "4",
            }
        )
    (workdir / "media").mkdir(exist_ok=True)
    return env


def postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def main() -> int:
    args = parse_args()
    clock = Clock()
    workdir = Path(tempfile.mkdtemp(prefix="registrar-scale-"))
    failures: list[str] = []
    stack = None
    database_created = False
    print(f"Scale test: {args.students} generated students, work folder {workdir}", flush=True)
    try:
        import boto3
        import psycopg

        flush_redis()
        postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        postgres(f"CREATE DATABASE {DATABASE}")
        database_created = True

        nginx_port, moto_port = free_port(), free_port()
        env = application_env(
            workdir, nginx_port=nginx_port, moto_port=moto_port, pool=args.database_pool
        )
        stack = Stack(workdir, env)
        stack.prepare_nginx()
        stack.nginx_port = nginx_port  # the origin in CSRF_TRUSTED_ORIGINS

        clock.step("S3 test server (moto), migrate, collectstatic")
        stack.processes["moto"] = Process(
            "moto",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=workdir,
            log_dir=stack.logs,
        )
        collect = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        s3 = boto3.client(
            "s3",
            endpoint_url=env["AWS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="scale-test",
            aws_secret_access_key="scale-test",
        )
        wait_for("moto's S3 server", lambda: s3.list_buckets() is not None, timeout=60)
        s3.create_bucket(Bucket=BUCKET)
        stack.manage("migrate", "--noinput", "-v0")
        stack.manage("sync_roles", "-v0")
        stack.manage("load_communes", "--if-empty", "-v0")

        clock.step(f"seed: seed_demo --students {args.students}, then the scenarios' data")
        stack.manage("seed_demo", "--students", str(args.students), "--force", "-v0")
        export_path = workdir / "export-scale.csv"
        seeded = subprocess.run(
            [
                sys.executable,
                "scripts/scale_test/seed.py",
                "--operation-students",
                str(args.operation_students),
                "--sessions",
                str(args.pdf_jobs),
                "--export",
                str(export_path),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if seeded.returncode != 0:
            raise AssertionError(f"seed: {seeded.stderr[-3000:]}")
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        seed["export_path"] = str(export_path)
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as vacuum:
            vacuum.execute("VACUUM ANALYZE")

        # collectstatic (hashed and compressed names: about a minute of CPU) ran meanwhile.
        if collect.wait(600) != 0:
            raise AssertionError(f"collectstatic: {collect.stderr.read()[-2000:]}")
        clock.step("2 app servers (registrar-web@), 2 workers (registrar-worker@), nginx")
        stack.start_web("web1")
        stack.start_web("web2")
        stack.start_worker("worker1", "1")
        stack.start_worker("worker2", "2")
        stack.start_nginx(["web1", "web2"])

        db = psycopg.connect(env["DATABASE_URL"], autocommit=True)
        ctx = scenarios.Context(stack, seed, db, s3, BUCKET, STALE_SECONDS)
        plan = []
        if args.only != "wrk":
            plan += [
                ("the login lockout holds across app servers", scenarios.login_lockout),
                (
                    "20 concurrent « Exécuter »: one execution, one report",
                    scenarios.concurrent_execute,
                ),
                (
                    f"{args.pdf_jobs} PDF jobs from both servers, by both workers",
                    lambda c: scenarios.pdf_jobs(c, count=args.pdf_jobs),
                ),
                (
                    "a worker killed mid-job: taken over after the stale delay",
                    scenarios.worker_killed,
                ),
                (
                    "a file uploaded through one server is read through the other (S3)",
                    scenarios.shared_files,
                ),
                ("an app server stopped mid-run: no accepted write lost", scenarios.server_stopped),
            ]
        for title, scenario in plan:
            clock.step(title)
            try:
                scenario(ctx)
            except Exception as exc:
                failures.append(f"{title}: {exc}")
                if not isinstance(exc, AssertionError):
                    traceback.print_exc()
        if args.only != "scenarios":
            clock.step(f"wrk -t2 -c16 -d{args.wrk_seconds}s through nginx")
            try:
                throughput(ctx, args, failures)
            except Exception as exc:
                failures.append(f"wrk: {exc}")
                traceback.print_exc()
        db.close()
    except Exception as exc:
        failures.append(f"set-up: {exc}")
        traceback.print_exc()
        if stack is not None:
            print(stack.tails())
    finally:
        if failures and stack is not None:
            print("\nLast lines of each process's log:")
            print(stack.tails())
        if stack is not None:
            stack.close()
        if database_created:
            try:
                postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            except Exception as exc:
                print(f"could not drop {DATABASE}: {exc}")
        with contextlib.suppress(Exception):
            flush_redis()
        if args.keep:
            print(f"work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    clock.step("done")
    if failures:
        print(f"\nSCALE TEST FAILED ({len(failures)}):")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print("\nSCALE TEST PASSED")
    return 0


PAGES = [
    ("vue triviale /healthz", "/healthz", None),
    ("recherche d'étudiants", "/etudiants/?field=last_name&q=Trem", "trouvé"),
    ("dossier étudiant", "/etudiants/{student}/", None),
    ("liste des opérations", "/inscriptions/operations/", None),
]


def throughput(ctx, args, failures: list[str]) -> None:
    stack = ctx.stack
    for name in ("web1", "web2"):
        if name not in stack.processes or not stack.processes[name].alive():
            stack.stop(name)
            stack.start_web(name)
    demo = ctx.signed_in("demo", "demo")
    cookie = "; ".join(f"{k}={v}" for k, v in demo.cookies.items())
    pages = [
        (label, path.format(student=ctx.seed["student"]), expect) for label, path, expect in PAGES
    ]
    for label, path, expect in pages:
        answer = demo.get(path)
        ok = answer.status == 200 and (expect is None or expect in answer.text)
        scenarios.check(ok, f"{label}: {path} answers 200 to the signed-in user")
    results: dict[int, dict[str, dict]] = {}
    for servers in (2, 1):
        names = ["web1", "web2"][:servers]
        stack.reload_nginx(names)
        results[servers] = {}
        for label, path, _expect in pages:
            figures = scenarios.wrk(
                ctx, stack.origin + path, seconds=args.wrk_seconds, cookie=cookie
            )
            results[servers][label] = figures
            scenarios.say(
                f"{servers} server(s) — {label}: {figures['rate']:.1f} req/s, p50 "
                f"{figures['p50_ms']:.1f} ms, non-2xx {figures['non_2xx']}, database "
                f"connections ≤ {figures['connections']}"
            )
            if figures["non_2xx"] or not figures["rate"]:
                failures.append(f"wrk {label} ({servers} servers): errors\n{figures['raw']}")
    # wrk counts a 302 (to the login page: a session that no longer holds) as a success:
    # nginx's access log says what each measured page really answered.
    statuses = access_log_statuses(stack.nginx_dir / "logs" / "access.log", pages)
    for label, counts in statuses.items():
        scenarios.say(f"nginx's log for {label}: {dict(sorted(counts.items()))}")
        # 499: wrk closing its connections at the end of a run, mid-request.
        wrong = {status: n for status, n in counts.items() if status not in ("200", "499")}
        if wrong:
            failures.append(f"wrk {label}: answers other than 200: {wrong}")
    mode = "pool psycopg (DATABASE_POOL)" if args.database_pool else "connexions persistantes"
    print("\nMarkdown for docs/performance.md:\n")
    print(
        "| page | 2 serveurs : req/s | ratio | 1 serveur : req/s | ratio "
        "| connexions PostgreSQL (max, 2 serveurs) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    trivial = {n: results[n][pages[0][0]]["rate"] or 1 for n in (1, 2)}
    for label, _path, _expect in pages:
        two, one = results[2][label], results[1][label]
        print(
            f"| {label} | {two['rate']:.0f} | {two['rate'] / trivial[2]:.0%} | "
            f"{one['rate']:.0f} | {one['rate'] / trivial[1]:.0%} | {two['connections']} |"
        )
    print(
        f"\n({mode}; 2 gunicorn × {stack.env['WEB_CONCURRENCY']} workers + 2 db_worker; "
        f"{ctx.seed['students']} étudiants; wrk -t2 -c16 -d{args.wrk_seconds}s via nginx TLS)"
    )
    for label, _path, _expect in pages[1:]:
        for n in (2, 1):
            ratio = results[n][label]["rate"] / trivial[n]
            if ratio < 0.30:
                print(
                    f"  goal missed: {label} with {n} server(s) at {ratio:.0%} of the trivial "
                    "view (goal ≥ 30 %)"
                )


def access_log_statuses(log: Path, pages) -> dict[str, dict[str, int]]:
    """The statuses nginx logged for each measured page (its path, query included)."""
    counts: dict[str, dict[str, int]] = {label: {} for label, _path, _expect in pages}
    by_path = {path: label for label, path, _expect in pages}
    for line in log.read_text(errors="replace").splitlines():
        parts = line.split('"')
        if len(parts) < 3:
            continue
        request = parts[1].split(" ")
        status = parts[2].split()[0] if parts[2].split() else ""
        label = by_path.get(request[1]) if len(request) > 1 else None
        if label:
            counts[label][status] = counts[label].get(status, 0) + 1
    return counts


if __name__ == "__main__":
    sys.exit(main())
