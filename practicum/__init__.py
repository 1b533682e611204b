"""Practicum: rehearsal of hard classroom moments for trainee teachers."""

from __future__ import annotations

from flask import Flask

from practicum.config import Config


def create_app(config: Config | None = None) -> Flask:
    """Create the app: configuration, database, extensions, blueprints, CLI."""
    from practicum.embedded_db import embedded_database_url

    config = (config or Config()).resolve()
    app = Flask(
        __name__,
        instance_path=str(config.INSTANCE_DIR),
        template_folder=str(config_root() / "templates"),
        static_folder=str(config_root() / "static"),
    )
    app.config.update(config.flask_settings())
    app.config["PRACTICUM"] = config
    app.config["DATABASE_URL"] = config.DATABASE_URL or embedded_database_url(config.INSTANCE_DIR)
    if config.PROXIES:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The address rate limits and the audit log see is the client's, not the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.PROXIES, x_proto=config.PROXIES)
    _init_extensions(app, config)
    _register_blueprints(app)
    return app


def config_root():
    """Return the project folder that holds templates/ and static/."""
    from practicum.config import PROJECT_ROOT

    return PROJECT_ROOT


def _init_extensions(app: Flask, config: Config) -> None:
    from practicum import auth_tokens, db, request_ids, request_text
    from practicum.extensions import jwt, limiter

    request_ids.init_app(app)  # first: every later hook and log line can name the request
    db.init_app(app)
    # Before the limiter's hook, which reads the sign-in body, and before every blueprint's.
    request_text.init_app(app)
    jwt.init_app(app)
    limiter.init_app(app)
    auth_tokens.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from api import bp as api_bp
    from api.errors import register_error_handlers
    from practicum import metrics
    from practicum.cli import register_commands
    from practicum.health import bp as health_bp
    from practicum.lti.views import bp as lti_bp
    from web import bp as web_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(web_bp)
    app.register_blueprint(lti_bp)
    metrics.init_app(app)
    register_error_handlers(app)
    register_commands(app)
