"""Middleware of the project as a whole (not of one app)."""

from config.health import healthz

HEALTHZ_PATH = "/healthz"


class HealthzMiddleware:
    """Answer /healthz first, before anything reads the Host header.

    Orchestrator and load-balancer probes call the container by its IP address
    (``Host: 10.0.0.7:8000``), which is not in ALLOWED_HOSTS: Django's host validation would
    answer them 400. The health view builds no URL and reads nothing from the request, so
    the Host it was sent to does not matter to it; every other path still goes through the
    host check. First in MIDDLEWARE but for the content security policy's, which only adds
    a header, so no other middleware runs for a probe (no session, no HTTPS redirect:
    probes speak plain HTTP inside the network).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTHZ_PATH:
            return healthz(request)
        return self.get_response(request)
