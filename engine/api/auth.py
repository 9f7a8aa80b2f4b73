"""Who may call the API: open by default, or one configured credential.

`crmscript serve` is an offline tool, so by default every request is
accepted. `--auth MODE` switches checking on:

    basic:USER:PASS    Authorization: Basic base64(USER:PASS)   (PASS may hold ':')
    bearer:TOKEN       Authorization: Bearer TOKEN
    soticket:TICKET    Authorization: SoTicket TICKET

The WebAPI also accepts `X-XSRF-TOKEN` instead of an Authorization header
(the value a signed-in browser session got in its XSRF cookie). Here the
session secret is the configured credential itself, so X-XSRF-TOKEN must
carry the token (bearer), the ticket (soticket) or `USER:PASS` (basic). When
an Authorization header is present it alone decides.

A missing or wrong credential is a 401 with a `WWW-Authenticate` challenge
for the configured scheme; no handler runs. Secrets are compared in constant
time.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ApiError

REALM = "crmscript-sim"
SCHEMES = {"basic": "Basic", "bearer": "Bearer", "soticket": "SoTicket"}


class AuthConfigError(ValueError):
    """An --auth value that cannot be understood (a usage error of the CLI)."""


@dataclass(frozen=True)
class Authenticator:
    scheme: str  # "basic", "bearer" or "soticket"
    secret: str  # USER:PASS for basic, the token or the ticket otherwise

    @classmethod
    def parse(cls, spec: str) -> Authenticator:
        kind, sep, secret = spec.partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in SCHEMES:
            raise AuthConfigError(
                f"--auth {spec!r}: expected basic:USER:PASS, bearer:TOKEN or soticket:TICKET")
        if kind == "basic":
            user, sep, password = secret.partition(":")
            if not sep or not user:
                raise AuthConfigError(f"--auth {spec!r}: basic needs basic:USER:PASS")
        if not secret:
            raise AuthConfigError(f"--auth {spec!r}: the {SCHEMES[kind]} credential is empty")
        return cls(kind, secret)

    def challenge(self, error: str | None = None) -> str:
        value = f'{SCHEMES[self.scheme]} realm="{REALM}"'
        if self.scheme == "basic":
            value += ', charset="UTF-8"'
        if self.scheme == "bearer" and error:
            value += f', error="{error}"'
        return value

    def check(self, headers: Mapping[str, str]) -> None:
        """Return if the request carries the credential, else raise ApiError 401."""
        authorization = headers.get("authorization")
        if authorization is not None and authorization.strip():
            scheme, _, credential = authorization.strip().partition(" ")
            if scheme.lower() != self.scheme:
                self._refuse(f"Authorization scheme {scheme!r} is not accepted here; "
                             f"use {SCHEMES[self.scheme]}", "invalid_request")
            if not self._matches(self._decode(credential.strip())):
                self._refuse(f"The {SCHEMES[self.scheme]} credential is wrong", "invalid_token")
            return
        xsrf = headers.get("x-xsrf-token")
        if xsrf is not None:
            if not self._matches(xsrf.strip()):
                self._refuse("The X-XSRF-TOKEN value is wrong", "invalid_token")
            return
        self._refuse(f"Authentication required: send Authorization: {SCHEMES[self.scheme]} ... "
                     "or X-XSRF-TOKEN", None)

    def _decode(self, credential: str) -> str | None:
        if self.scheme != "basic":
            return credential
        try:
            return base64.b64decode(credential, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None

    def _matches(self, presented: str | None) -> bool:
        if presented is None:
            return False
        return hmac.compare_digest(presented.encode("utf-8", "surrogatepass"), self.secret.encode("utf-8"))

    def _refuse(self, message: str, bearer_error: str | None) -> None:
        raise ApiError(401, message, source="Authorization",
                       headers={"WWW-Authenticate": self.challenge(bearer_error)})


def make_authenticator(auth: None | str | Authenticator) -> Authenticator | None:
    """None/"" /"none"/"open" -> no checking; a spec string or an Authenticator -> checking."""
    if auth is None or isinstance(auth, Authenticator):
        return auth
    if auth.strip().lower() in ("", "none", "open"):
        return None
    return Authenticator.parse(auth)
