"""A small LTI 1.3 platform for tests: its own keys, JWKS, OIDC auth, token, AGS and NRPS endpoints.

It runs as a separate Flask app on loopback. It signs id_tokens with its own RSA key, checks
the tool's client assertions and deep-linking responses against the tool's published JWKS, and
keeps a gradebook of the scores the tool posts. Tests shape each launch (user, roles, custom
parameters) and can spoil it (another key, audience, expiry, deployment) to see it refused.
"""

from __future__ import annotations

import html
import re
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, abort, jsonify, request

from tests.conftest import Served

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
ROSTER_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


@dataclass
class Key:
    kid: str
    private: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))

    def jwk(self) -> dict:
        return {
            **jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True),
            "kid": self.kid,
        }


class TestPlatform:
    """The platform's state: keys, prepared launches, tokens it issued, gradebook, roster."""

    __test__ = False  # not a test class, whatever its name
    client_id = "practicum-client"
    deployment_id = "deployment-1"
    context = {"id": "course-42", "title": "Managing the classroom", "label": "EDU 101"}

    def __init__(self, tool_url: str, host: str = "127.0.0.1"):
        self.tool_url = tool_url
        self.keys = [Key("platform-key-1")]
        self.messages: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}  # access token -> scope
        self.gradebook: list[dict] = []  # every score accepted, in order
        self.refuse_scores = 0  # the next N score posts answer 503
        self.stall_scores_s = 0.0  # score posts answer this late (an LMS that hangs)
        self.score_posts = 0
        self.members: list[dict] = []
        self.deep_links: list[dict] = []  # content items the tool returned
        self.app = self._build_app()
        self.served = Served(self.app, host)
        self.url = self.served.url

    # What the tool's admin copies into Practicum -----------------------------------------
    def registration(self) -> dict:
        return {
            "name": "Test LMS",
            "issuer": self.url,
            "client_id": self.client_id,
            "deployment_ids": [self.deployment_id],
            "auth_login_url": f"{self.url}/auth",
            "auth_token_url": f"{self.url}/token",
            "jwks_url": f"{self.url}/jwks",
        }

    def rotate_key(self) -> None:
        """Sign with a new key from now on (the old one is no longer published)."""
        self.keys = [Key(f"platform-key-{len(self.keys) + 1}-{secrets.token_hex(2)}")]

    # Launches ------------------------------------------------------------------------------
    def prepare(
        self,
        subject: str = "learner-1",
        roles=(LEARNER,),
        message_type="LtiResourceLinkRequest",
        custom=None,
        resource_link_id="link-1",
        lineitem: str | None = "1",
        spoil=None,
        name="Lee Learner",
    ):
        """Prepare a launch; return the login initiation parameters the tool receives."""
        hint = secrets.token_urlsafe(8)
        claims = {
            "sub": subject,
            "name": name,
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "roles": list(roles),
            LTI + "context": self.context,
            LTI + "target_link_uri": f"{self.tool_url}/lti/launch",
            NRPS: {
                "context_memberships_url": f"{self.url}/contexts/{self.context['id']}/memberships",
                "service_versions": ["2.0"],
            },
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": resource_link_id, "title": "Rehearsal"}
            claims[LTI + "custom"] = custom or {}
            if lineitem:
                claims[AGS] = {"scope": [SCORE_SCOPE], "lineitem": f"{self.url}/lineitems/{lineitem}"}
        else:
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep_link_return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-platform-data",
            }
        self.messages[hint] = {"claims": claims, "spoil": spoil or {}}
        return {
            "iss": self.url,
            "login_hint": subject,
            "target_link_uri": f"{self.tool_url}/lti/launch",
            "lti_message_hint": hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def id_token(self, hint: str, nonce: str) -> str:
        message = self.messages[hint]
        spoil = message["spoil"]
        now = int(time.time())
        claims = {
            **message["claims"],
            "iss": self.url,
            "aud": spoil.get("aud", self.client_id),
            "iat": now + spoil.get("age", 0),
            "exp": now + spoil.get("age", 0) + 300,
            "nonce": nonce,
        }
        if "deployment_id" in spoil:
            claims[LTI + "deployment_id"] = spoil["deployment_id"]
        key = Key("platform-key-1") if spoil.get("foreign_key") else self.keys[0]
        # A foreign key with a published kid: the signature check, not the kid lookup, refuses it.
        kid = "never-published" if spoil.get("unknown_kid") else self.keys[0].kid
        return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": kid})

    # Checking what the tool signed -----------------------------------------------------------
    def tool_claims(self, token: str, audience: str) -> dict:
        keys = jwt.PyJWKClient(f"{self.tool_url}/lti/jwks", cache_jwk_set=False)
        return jwt.decode(
            token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"], audience=audience
        )

    def _bearer_scope(self) -> str:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.tokens:
            abort(401)
        return self.tokens[token]

    def _build_app(self) -> Flask:
        app = Flask("lti_test_platform")
        app.config["SESSION_COOKIE_NAME"] = "test_platform_session"

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[key.jwk() for key in self.keys])

        @app.get("/auth")
        def auth():
            args = request.args
            ok = (
                args.get("client_id") == self.client_id
                and args.get("redirect_uri") == f"{self.tool_url}/lti/launch"
                and args.get("response_type") == "id_token"
                and args.get("scope") == "openid"
                and args.get("response_mode") == "form_post"
                and args.get("lti_message_hint") in self.messages
                and args.get("nonce")
                and args.get("state")
            )
            if not ok:
                abort(400)
            token = self.id_token(args["lti_message_hint"], args["nonce"])
            return self.auto_post(args["redirect_uri"], {"id_token": token, "state": args["state"]})

        @app.post("/token")
        def token():
            form = request.form
            if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != (
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            ):
                return jsonify(error="unsupported_grant_type"), 400
            try:
                claims = self.tool_claims(form.get("client_assertion", ""), f"{self.url}/token")
            except jwt.PyJWTError:
                return jsonify(error="invalid_client"), 401
            if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
                return jsonify(error="invalid_client"), 401
            access = secrets.token_urlsafe(16)
            self.tokens[access] = form.get("scope", "")
            return jsonify(access_token=access, token_type="Bearer", expires_in=3600, scope=form.get("scope"))

        @app.post("/lineitems/<item>/scores")
        def scores(item):
            if SCORE_SCOPE not in self._bearer_scope().split():
                abort(403)
            if request.mimetype != "application/vnd.ims.lis.v1.score+json":
                abort(415)
            self.score_posts += 1
            if self.stall_scores_s:
                time.sleep(self.stall_scores_s)
                return "", 204  # too late: the tool has given up waiting
            if self.refuse_scores > 0:
                self.refuse_scores -= 1
                return jsonify(error="busy"), 503
            self.gradebook.append({"lineitem": item, **request.get_json()})
            return "", 204

        @app.get("/contexts/<context_id>/memberships")
        def memberships(context_id):
            if ROSTER_SCOPE not in self._bearer_scope().split():
                abort(403)
            return jsonify(id=request.url, context={"id": context_id}, members=self.members)

        @app.post("/deep_link_return")
        def deep_link_return():
            claims = self.tool_claims(request.form.get("JWT", ""), self.url)
            items = claims.get(DL + "content_items", [])
            self.deep_links.append({"claims": claims, "items": items})
            titles = "".join(f"<li>{html.escape(i.get('title', ''))}</li>" for i in items)
            return f"<!doctype html><title>Added</title><h1>Activity added</h1><ul id='added'>{titles}</ul>"

        @app.get("/course")
        def course():
            # What an LMS shows: its own page, Practicum framed in it (the login initiation URL).
            src = f"{self.tool_url}/lti/login?" + request.query_string.decode()
            return (
                "<!doctype html><title>Course</title><h1>Managing the classroom</h1>"
                f"<iframe id='tool' title='Practicum' src='{html.escape(src)}' "
                "width='1200' height='800'></iframe>"
            )

        @app.get("/gradebook")
        def gradebook():
            rows = "".join(
                f"<tr><td>{html.escape(g['userId'])}</td><td>{g['scoreGiven']}</td></tr>"
                for g in self.gradebook
            )
            return f"<!doctype html><title>Gradebook</title><table id='grades'>{rows}</table>"

        return app

    @staticmethod
    def auto_post(url: str, fields: dict) -> str:
        inputs = "".join(
            f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
            for k, v in fields.items()
        )
        return (
            "<!doctype html><title>Signing in</title>"
            f"<form id='post' method='post' action='{html.escape(url)}'>"
            f"{inputs}<button>Continue</button></form><script>document.getElementById('post').submit()</script>"
        )


class LaunchDriver:
    """The tool (served live, driven by its test client) and the platform, wired together."""

    def __init__(self, app, tool_url: str, platform: TestPlatform):
        self.app, self.tool_url, self.platform = app, tool_url, platform
        self.client = app.test_client()
        self.browser_of_platform = platform.app.test_client()

    def login(self, params: dict):
        return self.client.get("/lti/login", query_string=params, base_url=self.tool_url)

    def launch(self, params: dict, tamper=None):
        """Go through login initiation, the platform's auth endpoint and the launch POST."""
        started = self.login(params)
        assert started.status_code == 302, started.get_data(as_text=True)
        auth = urlsplit(started.headers["Location"])
        assert f"{auth.scheme}://{auth.netloc}" == self.platform.url
        posted = self.browser_of_platform.get(f"{auth.path}?{auth.query}")
        assert posted.status_code == 200, posted.get_data(as_text=True)
        form = form_fields(posted.get_data(as_text=True))
        if tamper:
            tamper(form)
        return self.client.post("/lti/launch", data=form, base_url=self.tool_url), form


def form_fields(page: str) -> dict:
    """Return the hidden fields of an auto-posting form (the platform's or Practicum's)."""
    return {
        unescape(n): unescape(v)
        for n, v in re.findall(r"name=['\"]([^'\"]+)['\"] value=['\"]([^'\"]*)['\"]", page)
    }


@contextmanager
def lti_world(app, admin: str = "ada"):
    """Serve the app and a test platform on loopback, the mini set imported, the platform registered."""
    from practicum.admin import Actor
    from practicum.db import session
    from practicum.lti import platforms
    from practicum.models import User
    from tests.conftest import FIXTURES, create_account, import_file

    import_file(app, FIXTURES / "mini-set.yaml")
    admin_id = create_account(app, admin, "admin")
    with Served(app) as tool:
        platform = TestPlatform(tool.url)
        with platform.served:
            with app.app_context():
                platforms.register(session, Actor(session.get(User, admin_id)), platform.registration())
            yield LaunchDriver(app, tool.url, platform)
