"""Checking an LTI 1.3 launch: the OIDC login's state and nonce, and the platform's signed id_token.

PyJWT does the cryptography: the signature is checked against the platform's JWKS (fetched and
cached per platform, fetched again when a token names a key it has not seen: the platform
rotated its keys), and the standard claims (exp, iat, iss, aud) by jwt.decode.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import jwt
from flask import current_app
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practicum.errors import PracticumError
from practicum.lti import platforms
from practicum.lti.models import Platform, UsedNonce
from practicum.models import utcnow

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
RESOURCE_LINK, DEEP_LINKING = "LtiResourceLinkRequest", "LtiDeepLinkingRequest"
CLOCK_SKEW_S = 10
AGAIN = " Open the activity again from your course."


class LaunchRefused(PracticumError):
    code, status = "lti_launch_refused", 401
    shown_on_pages = True


class LaunchMalformed(LaunchRefused):
    """A login or launch request that lacks what it needs: nothing to verify."""

    status = 400


@dataclass(frozen=True)
class Launch:
    """A verified launch: the platform it came from and the id_token's claims."""

    platform: Platform
    claims: dict

    def claim(self, name: str, default=None):
        """Return an LTI claim by its short name (message_type, roles, context, custom…)."""
        return self.claims.get(CLAIM + name, default)

    @property
    def message_type(self) -> str:
        return self.claim("message_type", "")

    @property
    def subject(self) -> str:
        return self.claims["sub"]


def login_redirect(db: Session, params, launch_url: str) -> tuple[str, str, str]:
    """Answer a platform's login initiation: return the auth URL to send the browser to, state, nonce."""
    issuer, login_hint = params.get("iss", ""), params.get("login_hint", "")
    if not issuer or not login_hint or not params.get("target_link_uri"):
        raise LaunchMalformed("The LMS's login request lacks its issuer, login hint or target." + AGAIN)
    platform = platforms.find_for_launch(db, issuer, params.get("client_id"))
    if platform is None:
        raise LaunchRefused(
            f"This LMS ({issuer}) is not registered with Practicum, or not with this client id. "
            "Ask a Practicum admin to register it."
        )
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    joiner = "&" if "?" in platform.auth_login_url else "?"
    return f"{platform.auth_login_url}{joiner}{urlencode(query)}", state, nonce


def _jwks_client(platform: Platform) -> jwt.PyJWKClient:
    """Return this app's cached key client for the platform's JWKS URL."""
    config = current_app.config["PRACTICUM"]
    clients = current_app.extensions.setdefault("lti.jwks_clients", {})
    key = (platform.id, platform.jwks_url)
    if key not in clients:
        clients[key] = jwt.PyJWKClient(
            platform.jwks_url,
            cache_jwk_set=True,
            lifespan=config.LTI_JWKS_CACHE_S,
            timeout=config.LTI_HTTP_TIMEOUT_S,
            cooldown_duration=config.LTI_JWKS_REFETCH_S,
        )
    return clients[key]


def _platform_of(db: Session, id_token: str) -> Platform:
    """Find the registered platform the (not yet verified) token names as issuer and audience."""
    try:
        unverified = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise LaunchRefused("The LMS sent no readable launch token." + AGAIN) from None
    audience = unverified.get("aud")
    client_ids = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    issuer = unverified.get("iss")
    for client_id in client_ids:
        if isinstance(issuer, str) and isinstance(client_id, str):
            platform = platforms.find_for_launch(db, issuer, client_id)
            if platform is not None:
                return platform
    raise LaunchRefused("The launch was meant for a tool or LMS not registered here (issuer or audience).")


def _verified_claims(platform: Platform, id_token: str) -> dict:
    try:
        signing_key = _jwks_client(platform).get_signing_key_from_jwt(id_token)
    except jwt.PyJWKClientConnectionError:
        raise LaunchRefused(
            "Practicum could not fetch the LMS's keys to check the launch. Try again soon."
        ) from None
    except jwt.PyJWTError:
        raise LaunchRefused("The launch is signed with a key the LMS does not publish.") from None
    try:
        return jwt.decode(
            id_token,
            signing_key.key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=CLOCK_SKEW_S,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise LaunchRefused("The launch has expired." + AGAIN) from None
    except jwt.InvalidAudienceError:
        raise LaunchRefused(
            "The launch was meant for another tool (its audience is not our client id)."
        ) from None
    except jwt.InvalidSignatureError:
        raise LaunchRefused("The launch's signature does not match the LMS's keys.") from None
    except jwt.PyJWTError as error:
        raise LaunchRefused(f"The launch token is not valid: {error}.") from None


def _check_lti_claims(db: Session, launch: Launch, expected_nonce: str) -> None:
    claims = launch.claims
    if not secrets.compare_digest(str(claims["nonce"]), expected_nonce):
        raise LaunchRefused("The launch did not answer the login this browser began." + AGAIN)
    if (
        isinstance(claims["aud"], list)
        and len(claims["aud"]) > 1
        and claims.get("azp") != launch.platform.client_id
    ):
        raise LaunchRefused("The launch names several audiences but not us as the authorised party.")
    if not platforms.has_deployment(db, launch.platform, launch.claim("deployment_id")):
        raise LaunchRefused(
            "This deployment of Practicum is not registered. Ask a Practicum admin to add its id."
        )
    if launch.claim("version") != "1.3.0" or launch.message_type not in (RESOURCE_LINK, DEEP_LINKING):
        raise LaunchRefused("Practicum understands LTI 1.3.0 resource link and deep linking launches only.")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise LaunchRefused("The launch does not say who the user is (no subject).")


def _use_nonce(db: Session, launch: Launch) -> None:
    """Record the nonce until the token expires; a second launch with it is a replay."""
    db.execute(delete(UsedNonce).where(UsedNonce.expires_at < utcnow()))
    expires = datetime.fromtimestamp(launch.claims["exp"] + CLOCK_SKEW_S, UTC)
    db.add(
        UsedNonce(platform_id=launch.platform.id, nonce=str(launch.claims["nonce"])[:255], expires_at=expires)
    )
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        raise LaunchRefused("This launch was used already (a replayed nonce)." + AGAIN) from None


def verify(db: Session, id_token: object, expected_nonce: str) -> Launch:
    """Verify a launch's id_token: signature, issuer, audience, expiry, nonce, deployment, LTI claims."""
    if not isinstance(id_token, str) or not id_token or len(id_token) > 64_000:
        raise LaunchMalformed("The LMS sent no launch token." + AGAIN)
    platform = _platform_of(db, id_token)
    launch = Launch(platform, _verified_claims(platform, id_token))
    _check_lti_claims(db, launch, expected_nonce)
    _use_nonce(db, launch)
    return launch
