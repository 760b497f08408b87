"""A real OpenID Connect provider for the tests, in the test process: pyop (the
IdentityPython project's OP library) behind a small WSGI app on a loopback port, with a
sign-in form of its own. Upturn talks to it over HTTP exactly as to a company's identity
provider: discovery, authorisation, the token endpoint, its keys, userinfo.

``mode`` makes it misbehave the ways a test needs: an ID token for another audience,
an expired one, or one signed by a key it does not publish."""

import datetime
import functools
import html
import ipaddress
import json
import ssl
import tempfile
import threading
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from Cryptodome.PublicKey import RSA
from jwkest.jwk import RSAKey
from jwkest.jws import JWS
from pyop.authz_state import AuthorizationState
from pyop.exceptions import InvalidAuthenticationRequest, OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo

CLIENT_ID = "upturn-acme"
CLIENT_SECRET = "a-secret-the-idp-and-upturn-share"
PASSWORD = "idp-password"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class LocalIdentityProvider:
    def __init__(self):
        self.server = make_server(
            "127.0.0.1", 0, self, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        # OpenID Connect wants its issuer on https: a certificate made here, for 127.0.0.1,
        # which the test makes Upturn's HTTP client trust (REQUESTS_CA_BUNDLE).
        self.ca_file = _certificate_file()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.issuer = f"https://127.0.0.1:{self.server.server_port}"
        self.people: dict[str, dict] = {}
        self.redirect_uris: list[str] = []
        self.amr: list[str] | None = None
        self.mode = ""  # "", "wrong_audience", "expired", "bad_signature"
        self.key = RSAKey(key=_rsa_key("signing"), alg="RS256", kid="idp-key-1")
        # Same key id, another key: what a forger would sign with.
        self.impostor_key = RSAKey(key=_rsa_key("impostor"), alg="RS256", kid="idp-key-1")
        self.token_requests = 0
        self._state = AuthorizationState(HashBasedSubjectIdentifierFactory("test-salt"))
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> "LocalIdentityProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_person(self, email: str, name: str, *, email_verified: bool = True) -> None:
        self.people[email] = {"email": email, "email_verified": email_verified, "name": name}

    def _provider(self) -> Provider:
        configuration = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": ["openid", "email", "profile"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }
        clients = {
            CLIENT_ID: {
                "client_secret": CLIENT_SECRET,
                "redirect_uris": self.redirect_uris,
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_post",
            }
        }
        return Provider(
            self.key,
            configuration,
            self._state,
            clients,
            Userinfo(self.people),
            id_token_lifetime=-120 if self.mode == "expired" else 300,
        )

    # --- WSGI -----------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        query = environ.get("QUERY_STRING", "")
        body = ""
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode()
        provider = self._provider()
        try:
            if path == "/.well-known/openid-configuration":
                return _json(start_response, provider.provider_configuration.to_dict())
            if path == "/jwks":
                return _json(start_response, provider.jwks)
            if path == "/authorize":
                return self._authorize(provider, method, query, body, start_response)
            if path == "/token":
                self.token_requests += 1
                headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
                claims = {"amr": self.amr} if self.amr else None
                response = provider.handle_token_request(
                    body, headers, extra_id_token_claims=claims
                ).to_dict()
                response["id_token"] = self._tamper(response["id_token"])
                return _json(start_response, response)
            if path == "/userinfo":
                headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
                return _json(
                    start_response, provider.handle_userinfo_request(query, headers).to_dict()
                )
        except (OAuthError, InvalidAuthenticationRequest) as error:
            return _json(start_response, {"error": str(error)}, status="400 Bad Request")
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _authorize(self, provider, method, query, body, start_response):
        """GET: the IdP's own sign-in form. POST: check the password, then back to the
        client with a code."""
        if method == "GET":
            params = parse_qs(query)
            hint = params.get("login_hint", [""])[0]
            page = _SIGN_IN_PAGE.format(query=html.escape(query), hint=html.escape(hint))
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        form = parse_qs(body)
        email = form.get("email", [""])[0]
        if email not in self.people or form.get("password", [""])[0] != PASSWORD:
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])
            return [b"wrong email or password"]
        request = provider.parse_authentication_request(form["query"][0])
        response = provider.authorize(request, email)
        location = response.request(request["redirect_uri"], False)
        start_response("302 Found", [("Location", location)])
        return [b""]

    def _tamper(self, id_token: str) -> str:
        if self.mode not in ("wrong_audience", "bad_signature"):
            return id_token
        claims = JWS().verify_compact(id_token, keys=[self.key])
        key = self.key
        if self.mode == "wrong_audience":
            claims["aud"] = "another-application"
        else:
            key = self.impostor_key
        return JWS(json.dumps(claims), alg="RS256").sign_compact(keys=[key])

    def sign_in(self, authorize_url: str, email: str, password: str = PASSWORD) -> str:
        """What a person does at the IdP: the sign-in form, posted. Returns where the IdP
        sends the browser back to (the client's callback, with the code)."""
        import requests

        query = authorize_url.split("?", 1)[1]
        response = requests.post(
            f"{self.issuer}/authorize",
            data={"email": email, "password": password, "query": query},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]


@functools.cache
def _rsa_key(purpose: str):
    """One key per purpose per test process: making RSA keys is the slow part."""
    return RSA.generate(2048)


@functools.cache
def _certificate_file() -> str:
    """A key and certificate for 127.0.0.1 in one PEM file; its path."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ) + certificate.public_bytes(serialization.Encoding.PEM)
    handle = tempfile.NamedTemporaryFile("wb", suffix=".pem", delete=False)  # noqa: SIM115
    with handle:
        handle.write(pem)
    return handle.name


def _json(start_response, data, status="200 OK"):
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(data).encode()]


_SIGN_IN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Acme identity provider</title></head><body>
<h1>Acme sign-in</h1>
<form method="post" action="/authorize">
<input type="hidden" name="query" value="{query}">
<p><label>Email <input name="email" value="{hint}"></label></p>
<p><label>Password <input name="password" type="password"></label></p>
<p><button type="submit">Sign in to Acme</button></p>
</form></body></html>"""
