"""The deployment files of deploy/ (docs/deploy.md): nginx accepts the site once rendered the
way the scale test renders it, the units run commands that exist, the environment template
names every variable the settings read and passes `check --deploy`, gunicorn's configuration
reads its address from the environment."""

import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from scale_test import deploy_files  # noqa: E402

SERVICES = sorted(deploy_files.UNITS.glob("*.service"))
TIMERS = sorted(deploy_files.UNITS.glob("*.timer"))
# Read by deploy/gunicorn.conf.py (gunicorn's own WEB_CONCURRENCY), not by the settings.
GUNICORN_VARIABLES = {"WEB_CONCURRENCY", "GUNICORN_HOST"}


def settings_variables() -> set[str]:
    """Every NAME of an env_*("NAME", …) call in registrar/settings.py."""
    text = (ROOT / "registrar" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"env_\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", text))


def test_env_template_names_every_variable_the_settings_read():
    read = settings_variables()
    documented = deploy_files.documented_env_names()
    assert len(read) > 30
    assert read - documented == set(), "add them to deploy/registrar.env.example"
    assert documented - read == GUNICORN_VARIABLES, "the template names unknown variables"


def test_env_template_parses_as_an_environment_file():
    values = deploy_files.read_env_file(deploy_files.ENV_EXAMPLE)
    assert values["DATABASE_URL"].startswith("postgres://")
    assert values["BEHIND_TLS_PROXY"] == "true"
    assert values["TRUSTED_PROXIES"] == "127.0.0.1"
    assert "DEBUG" not in values  # production: DEBUG unset


def test_env_file_reader_refuses_a_line_systemd_would_skip(tmp_path):
    env = tmp_path / "env"
    env.write_text("A=1\nexport B=2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not NAME=value"):
        deploy_files.read_env_file(env)
    env.write_text("# comment\n\nA='un deux'\nB=\"x\"\n", encoding="utf-8")
    assert deploy_files.read_env_file(env) == {"A": "un deux", "B": "x"}


def test_env_template_passes_check_deploy(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "LC_ALL")
    }
    env.update(deploy_files.read_env_file(deploy_files.ENV_EXAMPLE))
    # Everything as the template says, but a database this test may reach.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    env["REDIS_URL"] = ""
    env["STATIC_ROOT"] = str(tmp_path / "static")
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout


@pytest.mark.parametrize("unit", SERVICES, ids=lambda path: path.name)
def test_each_unit_runs_an_existing_command(unit):
    command = deploy_files.unit_command(unit, instance="8001")
    assert command.env_file == deploy_files.ENV_FILE
    assert command.cwd == str(ROOT)
    argv = command.argv
    if argv[0] == "/bin/sh":  # the export's date is computed by the shell
        argv = argv[2].removeprefix("exec ").split()
    program = Path(argv[0])
    assert program.parent == ROOT / ".venv" / "bin", argv
    if program.name == "gunicorn":
        config = Path(argv[argv.index("--config") + 1])
        assert config == ROOT / "deploy" / "gunicorn.conf.py"
        assert argv[-1] == "registrar.wsgi"
        assert command.environment == {"GUNICORN_PORT": "8001"}
        return
    assert argv[1] == "manage.py"
    assert argv[2] in get_commands(), f"{unit.name}: no command {argv[2]}"


def test_nightly_commands_have_a_unit_and_a_timer():
    commands = {
        deploy_files.unit_command(unit, instance="6543").argv[-1]
        if unit.name.startswith("registrar-parcoursup-export")
        else " ".join(deploy_files.unit_command(unit, instance="6543").argv[1:3])
        for unit in SERVICES
    }
    text = " ".join(commands)
    for name in (
        "import_parcoursup",
        "export_parcoursup",
        "release_placement_requests",
        "purge_jobs",
    ):
        assert name in text, name
    services = {unit.stem for unit in SERVICES}
    for timer in TIMERS:
        assert timer.stem in services, f"{timer.name} has no service"
        parsed = deploy_files.read_unit(timer)
        assert parsed.one("Timer", "OnCalendar")
        assert parsed.one("Timer", "Persistent") == "true"
        assert parsed.one("Install", "WantedBy") == "timers.target"
    assert len(TIMERS) == 4


def test_specifiers_and_dollars_are_expanded_as_systemd_does():
    assert deploy_files.expand_specifiers("a%%b %i $$(date)", instance="42") == "a%b 42 $(date)"
    with pytest.raises(ValueError):
        deploy_files.expand_specifiers("%Z")
    relocated = deploy_files.relocate(
        "/srv/registrar/.venv /srv/registrar-data /srv/registrar", root=Path("/x")
    )
    assert relocated == "/x/.venv /srv/registrar-data /x"


def test_gunicorn_reads_its_address_and_workers_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_PORT", "8123")
    monkeypatch.setenv("GUNICORN_HOST", "10.0.0.5")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["bind"] == "10.0.0.5:8123"
    assert config["workers"] == 3
    assert config["accesslog"] is None  # the application logs each request
    assert config["timeout"] < 90  # below nginx's proxy_read_timeout


def test_nginx_body_limit_is_the_applications():
    site = deploy_files.NGINX_SITE.read_text(encoding="utf-8")
    limit = re.search(r"client_max_body_size (\d+)m;", site)
    assert int(limit.group(1)) * 1024 * 1024 == settings.REQUEST_BODY_MAX_BYTES
    for header in (
        "X-Forwarded-For $remote_addr",
        "X-Forwarded-Proto $scheme",
        "X-Request-ID $request_id",
        "Host $host",
    ):
        assert f"proxy_set_header {header};" in site
    # A POST is never sent twice: connection errors only, without non_idempotent.
    assert re.search(r"(?m)^\s*proxy_next_upstream error timeout;$", site)


def test_rendering_fails_loudly_when_the_site_changes_shape():
    site = deploy_files.NGINX_SITE.read_text(encoding="utf-8").replace("listen 80;", "listen 8080;")
    with pytest.raises(ValueError, match="expected 1 match"):
        deploy_files.render_nginx_site(
            upstreams=["127.0.0.1:1"],
            http_port=1,
            https_port=2,
            certificate=Path("/c"),
            certificate_key=Path("/k"),
            log_dir=Path("/l"),
            text=site,
        )


@pytest.mark.skipif(
    not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(),
    reason="nginx is not installed",
)
@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl is not installed")
def test_rendered_site_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    for folder in ("logs", "tmp"):
        (tmp_path / folder).mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = deploy_files.render_nginx_site(
        upstreams=["127.0.0.1:18001", "127.0.0.1:18002", "127.0.0.1:18003"],
        http_port=18080,
        https_port=18443,
        certificate=tmp_path / "cert.pem",
        certificate_key=tmp_path / "key.pem",
        log_dir=tmp_path / "logs",
    )
    assert site.count("    server 127.0.0.1:1800") == 3
    assert "/srv/registrar/" not in site and f"alias {ROOT}/staticfiles/;" in site
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(
        deploy_files.nginx_main_conf(
            site=tmp_path / "site.conf",
            prefix=tmp_path,
            mime_types=Path("/etc/nginx/mime.types"),
            user="root" if os.geteuid() == 0 else None,
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [nginx, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_registrar_manage_runs_manage_py_with_the_environment_file(tmp_path):
    """deploy/registrar-manage sources the environment file (quoted values with spaces
    included) and runs manage.py from the installation folder."""
    script = ROOT / "deploy" / "registrar-manage"
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0
    home = tmp_path / "home"
    (home / ".venv" / "bin").mkdir(parents=True)
    # A stand-in for the venv's python that prints what it was given.
    fake = home / ".venv" / "bin" / "python"
    fake.write_text('#!/bin/sh\necho "$PWD|$INSTITUTION_NAME|$DATABASE_URL|$*"\n')
    fake.chmod(0o755)
    env_file = tmp_path / "env"
    env_file.write_text(
        '# comment\nINSTITUTION_NAME="Cégep Marie-Victorin"\nDATABASE_URL=postgres://x/y\n',
        encoding="utf-8",
    )
    user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    done = subprocess.run(
        [str(script), "migrate", "--noinput"],
        env={
            "PATH": os.environ["PATH"],
            "REGISTRAR_HOME": str(home),
            "REGISTRAR_ENV": str(env_file),
            "REGISTRAR_USER": user,
        },
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"{home}|Cégep Marie-Victorin|postgres://x/y|manage.py migrate --noinput"
    )
