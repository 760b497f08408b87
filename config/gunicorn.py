"""gunicorn's settings that follow Upturn's environment; bin/web loads them
(``--config python:config.gunicorn``), and its command line adds the rest."""

from config.env import env_str
from config.proxies import trusted_proxy_count_from_env

# Whose X-Forwarded-Proto gunicorn believes (it decides wsgi.url_scheme). FORWARDED_ALLOW_IPS
# names them; when unset, the proxies Django trusts (TRUSTED_PROXY_COUNT, config/proxies.py)
# are trusted here too: a deployment that counts proxies promises that only they reach this
# process, and in a container network their addresses are not known in advance.
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS") or (
    "*" if trusted_proxy_count_from_env() > 0 else "127.0.0.1,::1"
)
