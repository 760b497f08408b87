"""SCIM test helpers: a token of an organisation, and requests as an identity provider
sends them."""

import json

from organizations.tenancy import tenant_context
from scim.tokens import scim_token_create

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def scim_token(organization, name: str = "Okta") -> str:
    with tenant_context(organization=organization):
        _token, raw = scim_token_create(organization=organization, actor=None, name=name)
    return raw


class Idp:
    """An identity provider speaking SCIM to /scim/v2/ with a token."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def _send(self, method: str, path: str, body=None, **headers):
        kwargs = {**self.headers, **headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/scim+json")
        return getattr(self.client, method)(f"/scim/v2/{path}", **kwargs)

    def get(self, path, **headers):
        return self._send("get", path, **headers)

    def post(self, path, body, **headers):
        return self._send("post", path, body, **headers)

    def put(self, path, body, **headers):
        return self._send("put", path, body, **headers)

    def patch(self, path, operations, **headers):
        body = {"schemas": [PATCH_SCHEMA], "Operations": operations}
        return self._send("patch", path, body, **headers)

    def delete(self, path, **headers):
        return self._send("delete", path, **headers)

    def create_user(self, user_name: str | None = None, **attributes) -> dict:
        body = {"schemas": [USER_SCHEMA], **attributes}
        if user_name is not None:
            body["userName"] = user_name
        response = self.post("Users", body)
        assert response.status_code == 201, response.json()
        return response.json()


def okta_user(user_name: str, given: str, family: str, **extra) -> dict:
    """A user as Okta's SCIM 2.0 app creates one."""
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": f"{given} {family}",
        "locale": "en-US",
        "externalId": f"00u{given.lower()}",
        "groups": [],
        "password": "never-stored-1",
        "active": True,
        **extra,
    }
