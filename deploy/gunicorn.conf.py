"""gunicorn settings for `make serve` and the ksqm-web unit (see bench/load.py for why gunicorn)."""

import os

bind = os.environ.get("KSQM_BIND", "127.0.0.1:8000")
# One process per core: the pages are CPU-bound Python; threads add little but latency.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# The reverse proxy buffers slow clients, so a sync worker is never held by one.
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then (memory of large analyses)
max_requests_jitter = 200
# Access lines would carry IP addresses and URLs with codes; the app logs what it needs.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("KSQM_TRUSTED_PROXIES", "127.0.0.1")
