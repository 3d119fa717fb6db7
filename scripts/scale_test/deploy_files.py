"""Reading the deployment files of deploy/ the way systemd and nginx read them, so that the
scale test runs those very files (their paths and ports substituted), never a copy.

- ``read_env_file``: an EnvironmentFile= (deploy/registrar.env.example);
- ``read_unit`` and ``unit_command``: a unit's [Service] section and its ExecStart= command
  line with the specifiers (%i, %H, %%) and $$ expanded, /srv/registrar replaced;
- ``render_nginx_site``: deploy/nginx/registrar.conf with the upstream servers, listening
  ports, certificate, paths and logs replaced, each substitution checked;
- ``nginx_main_conf``: the http{} around the site for a private nginx (its own prefix).
"""

import re
import shlex
import socket
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX_SITE = DEPLOY / "nginx" / "registrar.conf"
ENV_EXAMPLE = DEPLOY / "registrar.env.example"
UNITS = DEPLOY / "systemd"
# Where docs/deploy.md installs the code and its environment file.
INSTALL_DIR = "/srv/registrar"
ENV_FILE = "/etc/registrar/env"

_ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines of a systemd EnvironmentFile (comments and blank lines skipped; a
    value in matching quotes is unquoted). A line of another shape is an error: systemd
    would ignore it silently, and the administrator would not know."""
    values: dict[str, str] = {}
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if not match:
            raise ValueError(f"{path}:{number}: not NAME=value: {raw!r}")
        name, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name] = value
    return values


def documented_env_names(path: Path = ENV_EXAMPLE) -> set[str]:
    """Every variable the template names, set or commented out (« #NAME=default »)."""
    names = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?([A-Z][A-Z0-9_]*)=", line.strip())
        if match:
            names.add(match.group(1))
    return names


@dataclass
class Unit:
    path: Path
    sections: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def get(self, section: str, key: str) -> list[str]:
        return self.sections.get(section, {}).get(key, [])

    def one(self, section: str, key: str) -> str:
        values = self.get(section, key)
        if len(values) != 1:
            raise ValueError(f"{self.path.name}: [{section}] {key}= {len(values)} times")
        return values[0]


def read_unit(path: Path) -> Unit:
    """A systemd unit file: its sections and their keys (a key may repeat)."""
    unit = Unit(Path(path))
    section = None
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            unit.sections.setdefault(section, {})
            continue
        if section is None or "=" not in line:
            raise ValueError(f"{path}:{number}: not a unit line: {raw!r}")
        key, value = (part.strip() for part in line.split("=", 1))
        unit.sections[section].setdefault(key, []).append(value)
    return unit


def expand_specifiers(text: str, *, instance: str = "") -> str:
    """systemd's specifiers used by our units: %i (instance), %H (host name), %n (unit
    name, only in comments), %% (a percent sign); then $$ (a dollar sign)."""

    def one(match: re.Match) -> str:
        letter = match.group(1)
        if letter == "%":
            return "%"
        if letter == "i":
            return instance
        if letter == "H":
            return socket.gethostname()
        raise ValueError(f"unexpected specifier %{letter} in {text!r}")

    return re.sub(r"%(.)", one, text).replace("$$", "$")


def relocate(text: str, *, root: Path) -> str:
    """/srv/registrar (the code, docs/deploy.md) → ``root``; /srv/registrar-data untouched."""
    return re.sub(r"/srv/registrar(?=/|\s|$|'|\")", str(root), text)


@dataclass
class Command:
    argv: list[str]
    cwd: str
    environment: dict[str, str]  # Environment= of the unit (the env file comes first)
    env_file: str


def unit_command(path: Path, *, instance: str = "", root: Path = ROOT) -> Command:
    """What systemd would run for ``path`` (instance ``instance``): ExecStart= split as
    systemd splits it, in WorkingDirectory=, with Environment=, paths relocated to
    ``root``."""
    unit = read_unit(path)
    exec_start = expand_specifiers(unit.one("Service", "ExecStart"), instance=instance)
    environment = {}
    for assignment in unit.get("Service", "Environment"):
        for word in shlex.split(expand_specifiers(assignment, instance=instance)):
            name, _sep, value = word.partition("=")
            environment[name] = value
    return Command(
        argv=shlex.split(relocate(exec_start, root=root)),
        cwd=relocate(unit.one("Service", "WorkingDirectory"), root=root),
        environment=environment,
        env_file=unit.one("Service", "EnvironmentFile"),
    )


def _replace(text: str, pattern: str, replacement: str, *, count: int, flags=0) -> str:
    new, made = re.subn(pattern, lambda _m: replacement, text, flags=flags)
    if made != count:
        raise ValueError(
            f"deploy/nginx/registrar.conf: expected {count} match(es) of {pattern!r}, found "
            f"{made}: the scale test's rendering must follow the file"
        )
    return new


def render_nginx_site(
    *,
    upstreams: list[str],
    http_port: int,
    https_port: int,
    certificate: Path,
    certificate_key: Path,
    log_dir: Path,
    root: Path = ROOT,
    static_root: Path | None = None,
    text: str | None = None,
) -> str:
    """deploy/nginx/registrar.conf for a private nginx on loopback: the upstream's servers
    replaced by ``upstreams`` (host:port), the ports 80 and 443 by ``http_port`` and
    ``https_port`` on 127.0.0.1 (no IPv6), the certificate by a test one, the logs in
    ``log_dir``, /srv/registrar by ``root`` and the static files' folder by
    ``static_root``. Everything else — buffers, limits, headers, timeouts,
    proxy_next_upstream — is the file's own."""
    site = NGINX_SITE.read_text(encoding="utf-8") if text is None else text
    servers = "".join(
        f"    server {address} max_fails=1 fail_timeout=10s;\n" for address in upstreams
    )
    site = _replace(
        site,
        r"(?m)^    server 127\.0\.0\.1:\d+ max_fails=1 fail_timeout=10s;\n(?:    server [^\n]*\n)*",
        servers,
        count=1,
    )
    site = _replace(site, r"(?m)^    listen 80;$", f"    listen 127.0.0.1:{http_port};", count=1)
    site = _replace(site, r"(?m)^    listen \[::\]:80;\n", "", count=1)
    site = _replace(
        site,
        r"(?m)^    listen 443 ssl http2;$",
        f"    listen 127.0.0.1:{https_port} ssl http2;",
        count=1,
    )
    site = _replace(site, r"(?m)^    listen \[::\]:443 ssl http2;\n", "", count=1)
    site = _replace(
        site, r"ssl_certificate /etc/letsencrypt/\S+;", f"ssl_certificate {certificate};", count=1
    )
    site = _replace(
        site,
        r"ssl_certificate_key /etc/letsencrypt/\S+;",
        f"ssl_certificate_key {certificate_key};",
        count=1,
    )
    site = _replace(
        site, r"/var/log/nginx/registrar\.access\.log", str(log_dir / "access.log"), count=2
    )
    site = _replace(
        site, r"/var/log/nginx/registrar\.error\.log", str(log_dir / "error.log"), count=2
    )
    if static_root is not None:
        site = _replace(
            site, r"alias /srv/registrar/staticfiles/;", f"alias {static_root}/;", count=1
        )
    return relocate(site, root=root)


def nginx_main_conf(*, site: Path, prefix: Path, mime_types: Path, user: str | None) -> str:
    """The main configuration of a private nginx around ``site`` (Debian's nginx.conf does
    the same with sites-enabled/): everything it writes under ``prefix``; its workers run
    as ``user`` when started by root (they read the static files and write the buffers)."""
    return f"""# Written by scripts/scale_test.py: a private nginx around our site file.
daemon off;
{f"user {user};" if user else ""}
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    include {mime_types};
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log {prefix}/logs/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {site};
}}
"""
