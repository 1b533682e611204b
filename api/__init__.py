"""The JSON API blueprint, mounted at /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from api import admin, auth, jobs, lti, openapi, practice, tokens, trainer  # noqa: E402,F401  (routes register on import)
