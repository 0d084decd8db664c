"""The workbench's session: the bearer token given once at sign-in, sealed in an HttpOnly cookie.

The cookie holds the token encrypted and authenticated (AES-GCM) with a key derived from the
ledger's signing key, so every API process that shares the key file opens it, and a revoked
token ends its sessions at the next request (each request authenticates the token again). The
CSRF token of a form is an HMAC of the session's random id: it is not in the cookie, a page of
another site cannot read it, and it is checked with ``hmac.compare_digest``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SESSION_COOKIE = "ledger_session"
PRE_SESSION_COOKIE = "ledger_signin"
"""Before sign-in: the random id the sign-in form's CSRF token is made from."""
LANG_COOKIE = "ledger_lang"


@dataclass(frozen=True)
class Session:
    token: str
    session_id: str


class SessionCodec:
    """Seals and opens session cookies; makes and checks CSRF tokens."""

    def __init__(self, secret: str) -> None:
        root = secret.encode()
        self._aead = AESGCM(hmac.new(root, b"ledger-ui-session-v1", hashlib.sha256).digest())
        self._csrf_key = hmac.new(root, b"ledger-ui-csrf-v1", hashlib.sha256).digest()

    def seal(self, token: str) -> tuple[str, Session]:
        session = Session(token, secrets.token_urlsafe(16))
        nonce = secrets.token_bytes(12)
        plain = json.dumps({"t": session.token, "s": session.session_id}).encode()
        sealed = nonce + self._aead.encrypt(nonce, plain, b"session")
        return base64.urlsafe_b64encode(sealed).decode().rstrip("="), session

    def open(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            raw = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
            plain = self._aead.decrypt(raw[:12], raw[12:], b"session")
            data = json.loads(plain)
            return Session(str(data["t"]), str(data["s"]))
        except (ValueError, InvalidTag, KeyError, TypeError):
            return None

    def csrf(self, session_id: str) -> str:
        return hmac.new(self._csrf_key, session_id.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session_id: str | None, given: str | None) -> bool:
        if not session_id or not given:
            return False
        return hmac.compare_digest(self.csrf(session_id), given)
