"""LTI 1.3 (Advantage) tool: launches from an LMS, deep linking, grades and rosters (issue 15)."""

from flask import Blueprint

bp = Blueprint("lti", __name__)

from lti import views  # noqa: E402,F401  (routes register on import)
