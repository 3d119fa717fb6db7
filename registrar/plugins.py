"""How a workflow app plugs into the product without ``registrar`` naming it.

An app lists itself in ``INSTALLED_APPS`` and, from its ``AppConfig.ready()``, calls the
``register()`` of its own ``plugin`` module, which hands ``registrar`` what it brings
(docs/architecture.md, « Adding an app »):

- its URLs, under its own prefix and namespace: :func:`register_urls` here;
- its navigation entries and home shortcuts: ``registrar.navigation.register``;
- its sections of the student file: ``registrar.student_file.register``;
- its « Mes opérations » providers: ``registrar.activity.register``;
- the permissions each staff role gets: ``registrar.roles.grant``, applied by
  ``manage.py sync_roles`` (and after every ``migrate``);
- its demo data: a ``demo`` module with ``seed(report)`` (``registrar.demo.seed_apps``).
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView


@dataclass(frozen=True)
class AppUrls:
    namespace: str  # the app's label: URL names read "<namespace>:<name>"
    prefix: str  # "certification/": every path of the app starts with it
    module: str  # the app's URLconf, whose ``app_name`` is ``namespace``
    # Paths the app used to answer at (bookmarks, links in old e-mails): GET answers a
    # permanent redirect to the named URL, with the same arguments and query string.
    moved: tuple[tuple[str, str], ...] = ()


_apps: dict[str, AppUrls] = {}


def register_urls(
    namespace: str, *, prefix: str, module: str, moved: tuple[tuple[str, str], ...] = ()
) -> None:
    """Route ``module`` under ``prefix`` with the namespace ``namespace``."""
    if not prefix.endswith("/") or prefix.startswith("/"):
        raise ValueError(f"An app's URL prefix is a relative path ending in /: {prefix!r}.")
    _apps[namespace] = AppUrls(namespace, prefix, module, tuple(moved))


def url_patterns() -> list[URLPattern | URLResolver]:
    """Every registered app's URLs, then the redirects of its former paths."""
    patterns: list[URLPattern | URLResolver] = []
    for app in sorted(_apps.values(), key=lambda app: app.prefix):
        patterns.append(path(app.prefix, include(app.module, namespace=app.namespace)))
    for app in _apps.values():
        for route, name in app.moved:
            view = RedirectView.as_view(
                pattern_name=f"{app.namespace}:{name}", permanent=True, query_string=True
            )
            patterns.append(path(route, view))
    return patterns
