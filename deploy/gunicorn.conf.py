"""gunicorn's configuration for the app servers (deploy/systemd/registrar-web@.service runs
`gunicorn --config deploy/gunicorn.conf.py registrar.wsgi`; docs/deploy.md).

Read from the environment, like the application's own settings:
- GUNICORN_HOST, GUNICORN_PORT: where to listen (127.0.0.1 when nginx is on the same host;
  the private address otherwise). The systemd unit's instance is the port.
- WEB_CONCURRENCY: the number of worker processes (gunicorn's own variable; default: the
  number of cores). Each opens its own database connection: docs/deploy.md, « Database
  connections ».
"""

import multiprocessing
import os

bind = f"{os.environ.get('GUNICORN_HOST', '127.0.0.1')}:{os.environ.get('GUNICORN_PORT', '8001')}"
# Synchronous workers: the pages are CPU work (templates) and short SQL; one request per
# process at a time. One per core; nginx buffers slow clients (deploy/nginx/registrar.conf).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
# A request that takes longer than this is ended (the worker is killed and replaced): long
# work runs in the background workers (docs/architecture.md rule 7). Above a 64 MB upload's
# reading time from nginx over loopback, below nginx's proxy_read_timeout.
timeout = 60
# On stop or reload (SIGTERM, SIGHUP), a worker finishes the request it has for this long.
graceful_timeout = 30
# Keep-alive connections from nginx (its upstream `keepalive`).
keepalive = 75
# A worker is replaced after this many requests (bounded memory over weeks), at a random
# point so that they are not all replaced together.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat files in memory rather than on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No access log: the application writes one structured line per request (request id, user,
# status, duration, queries: docs/deploy.md, « Logs »). gunicorn's errors go to stderr,
# the journal.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-Proto is believed only from nginx on this host (the application decides with
# BEHIND_TLS_PROXY and TRUSTED_PROXIES; this only sets wsgi.url_scheme).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = f"registrar-web-{os.environ.get('GUNICORN_PORT', '8001')}"
