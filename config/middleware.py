"""Middleware of the project as a whole (not of one app)."""

from config.health import healthz, healthz_live

HEALTHZ_PATH = "/healthz"
HEALTHZ_LIVE_PATH = "/healthz/live"
_PROBES = {HEALTHZ_PATH: healthz, HEALTHZ_LIVE_PATH: healthz_live}


class HealthzMiddleware:
    """Answer /healthz and /healthz/live first, before anything reads the Host header.

    Orchestrator and load-balancer probes call the container by its IP address
    (``Host: 10.0.0.7:8000``), which is not in ALLOWED_HOSTS: Django's host validation would
    answer them 400. The health views build no URL and read nothing from the request, so
    the Host they were sent to does not matter to them; every other path still goes
    through the host check. First in MIDDLEWARE but for the content security policy's,
    which only adds a header, so no other middleware runs for a probe (no session, no
    HTTPS redirect: probes speak plain HTTP inside the network).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = _PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
