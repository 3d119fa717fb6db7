"""The processes of the scale test, each in its own process group, started from the files of
deploy/ (scripts/scale_test/deploy_files.py) and stopped whatever happens (``Stack.close``).
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from scale_test import deploy_files
from scale_test.client import Browser

ROOT = deploy_files.ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, ready, *, timeout: float, every: float = 0.2):
    """Call ``ready()`` until it returns something true; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = ready()
            if value:
                return value
        except Exception as exc:  # not up yet
            last_error = exc
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s (last error: {last_error})")


class Process:
    def __init__(self, name: str, argv: list[str], *, env: dict, cwd: Path, log_dir: Path):
        self.name = name
        self.argv = argv
        self.log = log_dir / f"{name}.log"
        self._stream = open(self.log, "ab")  # noqa: SIM115 - kept open while it runs
        self.popen = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=self._stream,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped with its children
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def stop(self, *, timeout: float = 15) -> None:
        """SIGTERM to the main process (systemd's stop with KillMode=mixed: gunicorn's
        master then stops its workers gracefully), then SIGKILL to the whole group after
        ``timeout``."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait(5)
        # Children left in the group (gunicorn's workers after a SIGKILL of the master).
        self.signal(signal.SIGKILL)
        self._stream.close()

    def tail(self, lines: int = 15) -> str:
        """The last lines of its log but the routine ones (requests answered, tasks run)."""
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        kept = [line for line in text if '"level": "INFO"' not in line]
        return "\n".join(line[:600] for line in kept[-lines:])


class Stack:
    """Everything the test started, to be closed in a ``finally``."""

    def __init__(self, workdir: Path, env: dict[str, str]):
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.processes: dict[str, Process] = {}
        self.web_ports: dict[str, int] = {}
        self.nginx_port = 0
        self.nginx_http_port = 0
        self.nginx_dir = workdir / "nginx"

    # --- the application's own commands -------------------------------------------------

    def manage(self, *args: str, env: dict | None = None, timeout: float = 600) -> str:
        """`python manage.py …` in the application's environment; its output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)}: {done.stderr[-3000:]}")
        return done.stdout

    def run_unit(self, unit: str, instance: str, name: str, *, extra_env=None) -> Process:
        """Start what systemd would start for deploy/systemd/``unit`` (instance
        ``instance``): its ExecStart= command line, in its WorkingDirectory=, with the
        environment file then the unit's Environment=."""
        command = deploy_files.unit_command(deploy_files.UNITS / unit, instance=instance)
        env = {**self.env, **command.environment, **(extra_env or {})}
        process = Process(name, command.argv, env=env, cwd=Path(command.cwd), log_dir=self.logs)
        self.processes[name] = process
        return process

    def start_web(self, name: str, *, extra_env=None) -> Process:
        port = self.web_ports.get(name) or free_port()
        self.web_ports[name] = port
        process = self.run_unit("registrar-web@.service", str(port), name, extra_env=extra_env)
        wait_for(
            f"{name} (gunicorn on {port}) answering /healthz",
            lambda: self._healthy(port, process),
            timeout=90,
        )
        return process

    def _healthy(self, port: int, process: Process) -> bool:
        if not process.alive():
            raise AssertionError(f"{process.name} exited:\n{process.tail()}")
        browser = Browser(f"http://127.0.0.1:{port}", origin=self.origin)
        return browser.get("/healthz", timeout=5).status == 200

    def start_worker(self, name: str, instance: str, *, extra_env=None) -> Process:
        return self.run_unit("registrar-worker@.service", instance, name, extra_env=extra_env)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            process.stop()

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.nginx_port}"

    def web(self, name: str) -> str:
        return f"http://127.0.0.1:{self.web_ports[name]}"

    # --- nginx ----------------------------------------------------------------------------

    def prepare_nginx(self) -> None:
        self.nginx_port, self.nginx_http_port = free_port(), free_port()
        for folder in ("logs", "tmp"):
            (self.nginx_dir / folder).mkdir(parents=True, exist_ok=True)
        certificate, key = self.nginx_dir / "cert.pem", self.nginx_dir / "key.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(certificate),
            ],
            check=True,
            capture_output=True,
        )

    def render_nginx(self, web_names: list[str]) -> Path:
        """deploy/nginx/registrar.conf for ``web_names``'s app servers, written with its main
        configuration; checked by `nginx -t`."""
        site = deploy_files.render_nginx_site(
            upstreams=[f"127.0.0.1:{self.web_ports[name]}" for name in web_names],
            http_port=self.nginx_http_port,
            https_port=self.nginx_port,
            certificate=self.nginx_dir / "cert.pem",
            certificate_key=self.nginx_dir / "key.pem",
            log_dir=self.nginx_dir / "logs",
            static_root=Path(self.env["STATIC_ROOT"]),
        )
        (self.nginx_dir / "registrar.conf").write_text(site)
        main = self.nginx_dir / "nginx.conf"
        main.write_text(
            deploy_files.nginx_main_conf(
                site=self.nginx_dir / "registrar.conf",
                prefix=self.nginx_dir,
                mime_types=Path("/etc/nginx/mime.types"),
                user="root" if os.geteuid() == 0 else None,
            )
        )
        checked = subprocess.run(
            [self.nginx_binary, "-t", "-q", "-c", str(main), "-p", str(self.nginx_dir)],
            capture_output=True,
            text=True,
        )
        if checked.returncode != 0:
            raise AssertionError(f"nginx -t: {checked.stderr}")
        return main

    @property
    def nginx_binary(self) -> str:
        return shutil.which("nginx") or "/usr/sbin/nginx"

    def start_nginx(self, web_names: list[str]) -> Process:
        main = self.render_nginx(web_names)
        process = Process(
            "nginx",
            [self.nginx_binary, "-c", str(main), "-p", str(self.nginx_dir)],
            env=dict(os.environ),
            cwd=self.nginx_dir,
            log_dir=self.logs,
        )
        self.processes["nginx"] = process
        wait_for(
            "nginx answering /healthz",
            lambda: (
                Browser(self.origin, origin=self.origin).get("/healthz", timeout=5).status == 200
            ),
            timeout=30,
        )
        return process

    def reload_nginx(self, web_names: list[str]) -> None:
        """The upstream list changed: `nginx -s reload` (the old workers finish their
        requests)."""
        main = self.render_nginx(web_names)
        subprocess.run(
            [self.nginx_binary, "-s", "reload", "-c", str(main), "-p", str(self.nginx_dir)],
            check=True,
            capture_output=True,
        )
        time.sleep(1.5)  # the new workers take over

    # --- the end ---------------------------------------------------------------------------

    def close(self) -> None:
        for name in list(self.processes)[::-1]:
            self.stop(name)

    def tails(self) -> str:
        return "\n".join(
            f"--- {name} ({process.log}) ---\n{process.tail()}"
            for name, process in self.processes.items()
        )
