"""The pages blueprint: sign-in, the scenario library, the rehearsal room and history."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from web import (  # noqa: E402,F401  (routes register on import)
    account,
    admin,
    auth,
    history,
    jobs,
    library,
    lti_admin,
    lti_pages,
    present,
    rehearsal,
    security,
    tokens,
    trainer,
    wording,
)
