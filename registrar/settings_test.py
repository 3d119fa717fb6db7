"""Settings for the test suite and the benchmarks: the production settings of
registrar/settings.py, then every choice only tests make. registrar/settings.py has no
testing mode; what differs is all here.

pytest reads this module (pyproject.toml, DJANGO_SETTINGS_MODULE); bench/bench_support.py
and the Makefile's `messages` target name it too.
"""

import os
import tempfile

# A test needs no secret of its own: its sessions and signatures last as long as the test.
# Set before the import, whose production check refuses to start without one.
os.environ.setdefault("SECRET_KEY", "registrar-test-suite-key-never-used-outside-the-tests-0123")

from registrar.settings import *  # noqa: F403

# seed_demo runs in tests (registrar/management/commands/seed_demo.py), not only with DEBUG.
TESTING = True

# The test client's host is added by Django; the live server of the browser tests is local.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# Creating a user per test: a fast hasher (production keeps Django's default, PBKDF2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Mail is kept in django.core.mail.outbox; a test that needs a real SMTP exchange overrides
# MAILERS itself.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# Background work runs at once, inside the request or the test that enqueued it.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# Login throttling would lock the personas out across tests; the tests of throttling turn
# it on (override_settings(AXES_ENABLED=True)), and so can AXES_ENABLED=true for a run.
AXES_ENABLED = env_bool("AXES_ENABLED", default=False)  # noqa: F405

# Plain HTTP for the test client and the live server: no redirect to https, no secure-only
# cookies, no HSTS.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_PRELOAD = False

# Static files straight from the app folders: no collectstatic, no manifest to build.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Each test process keeps its files apart, and nothing lands in the checkout.
MEDIA_ROOT = tempfile.mkdtemp(prefix="registrar-test-media-")
WHITENOISE_AUTOREFRESH = True

# No cache between requests: a page's query count is the same on its first request and the
# next (the query-count tests compare them). The caches' own tests turn a local-memory cache
# on (override_settings(CACHES=…)): the header's terms, tests/registrar/test_selectors.py.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
