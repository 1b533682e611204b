"""JWT wiring: who a token belongs to, and whether it still works."""

from __future__ import annotations

from flask import g

from practicum import accounts, sign_ins
from practicum.db import session
from practicum.extensions import jwt


def init_app(app) -> None:
    """Connect flask-jwt-extended to the account and revocation tables."""

    @jwt.user_identity_loader
    def identity(user):
        return str(user.id) if hasattr(user, "id") else str(user)

    @jwt.user_lookup_loader
    def load_user(_header, payload):
        # An account deactivated, or whose password changed, after the token was issued stops
        # working at once; the one lookup serves both checks.
        subject = str(payload.get("sub", ""))
        if not subject.isdecimal():  # only a token signed with our key gets here, but still
            return None
        epoch = payload.get(accounts.CREDENTIALS_CLAIM)
        return accounts.token_holder(session, int(subject), payload.get("iat", 0), epoch)

    @jwt.token_in_blocklist_loader
    def revoked(_header, payload):
        # Held for the request, so load_user (called next) finds the account without a statement.
        refused, g.token_account = sign_ins.refused(session, payload)
        return refused
