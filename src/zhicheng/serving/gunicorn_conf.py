"""gunicorn's settings for `make serve` (``gunicorn -c python:zhicheng.serving.gunicorn_conf zhicheng.wsgi``), each
read from the environment so that one machine's service file says what differs (docs/deployment.md)."""

from __future__ import annotations

import os

# Behind the reverse proxy the server listens on the machine's own address; the proxy (or the load balancer) is
# what the public reaches.
bind = [os.environ.get("ZHICHENG_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")]
# Synchronous workers: the pages are short database work, and a worker per request keeps a slow upload from holding
# up the others' transactions. Two per core and one more, gunicorn's own rule of thumb, unless told.
workers = int(os.environ.get("ZHICHENG_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
# A request longer than this is a stuck worker (the largest workbook and PDF take seconds): it is restarted.
timeout = int(os.environ.get("ZHICHENG_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
# Workers are replaced after a while, staggered, so that no slow growth of memory outlives a day of the rush.
max_requests = 2000
max_requests_jitter = 200
# The application is loaded once, before the workers fork: a broken setting stops the start, not each worker.
preload_app = True
# gunicorn's own address check for X-Forwarded-Proto: the trusted proxies (Django decides HTTPS itself through
# SECURE_PROXY_SSL_HEADER; this only keeps gunicorn's view the same).
forwarded_allow_ips = os.environ.get("ZHICHENG_TRUSTED_PROXIES", "") or "127.0.0.1,::1"
# Both logs on stderr beside Django's, for the service manager; each request's line carries its request id (the
# X-Request-ID the application sets), so one id finds the request in the access log and in the application's.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms [%({x-request-id}o)s] "%(a)s"'
# No control socket: the service manager runs the server, and two servers on one machine (a test's, a second
# instance) would contend for the one default socket in the home directory.
control_socket_disable = True
