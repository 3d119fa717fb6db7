"""A small HTTP client for the scale test (standard library only): a browser's session —
cookies, the CSRF token, forms and file uploads — against nginx (HTTPS, the test's own
certificate) or one app server directly (plain HTTP, as nginx would call it: the headers
nginx sets are sent by hand)."""

import http.client
import re
import ssl
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Browser:
    """One user's session. ``base`` is https://127.0.0.1:<nginx port> or
    http://127.0.0.1:<gunicorn port>; ``origin`` is the public origin (nginx's), sent as
    Origin and Referer so that Django's CSRF check sees what a browser would send.
    ``client_address`` is the X-Forwarded-For nginx would set when talking to an app server
    directly (TRUSTED_PROXIES=127.0.0.1)."""

    def __init__(self, base: str, *, origin: str, client_address: str = "198.51.100.7"):
        self.base = base.rstrip("/")
        self.origin = origin.rstrip("/")
        self.client_address = client_address
        self.cookies: dict[str, str] = {}
        parts = urlsplit(self.base)
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname, parts.port

    def at(self, base: str) -> "Browser":
        """The same session (cookies) through another entry (another app server)."""
        other = Browser(base, origin=self.origin, client_address=self.client_address)
        other.cookies = self.cookies
        return other

    def _connection(self, timeout: float):
        if self._https:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout, context=context
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        headers: dict | None = None,
        timeout: float = 60,
    ) -> Response:
        sent = {
            "Host": "127.0.0.1",
            "User-Agent": "registrar-scale-test",
            "Accept-Language": "fr",
        }
        if not self._https:
            # What nginx adds on its way to an app server (deploy/nginx/registrar.conf).
            sent["X-Forwarded-Proto"] = "https"
            sent["X-Forwarded-For"] = self.client_address
            sent["X-Request-ID"] = uuid.uuid4().hex
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            sent["Origin"] = self.origin
            sent["Referer"] = self.origin + path
            sent["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if content_type:
            sent["Content-Type"] = content_type
        sent.update(headers or {})
        connection = self._connection(timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            data = answer.read()
            received = {k.lower(): v for k, v in answer.getheaders()}
            for header in answer.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(answer.status, received, data)
        finally:
            connection.close()

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict, **kw) -> Response:
        if "csrftoken" not in self.cookies:
            self.get("/compte/connexion/")
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            content_type="application/x-www-form-urlencoded",
            **kw,
        )

    def post_file(self, path: str, data: dict, *, field: str, name: str, content: bytes, **kw):
        if "csrftoken" not in self.cookies:
            self.get("/compte/connexion/")
        boundary = uuid.uuid4().hex
        parts = []
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        for key, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            path,
            body=b"".join(parts),
            content_type=f"multipart/form-data; boundary={boundary}",
            **kw,
        )

    def login(self, username: str, password: str) -> Response:
        """Sign in through the login page; the answer (302 when signed in)."""
        self.get("/compte/connexion/")
        return self.post("/compte/connexion/", {"username": username, "password": password})
