"""Flask delivery for Learning Loop: the app factory."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from surveys.answer_types import format_size
from webapp.config import CONFIGS, Config, ConfigError
from webapp.form_names import form_name
from webapp.wording import plural

csrf = CSRFProtect()
log = logging.getLogger(__name__)
SERVICE_NAME = "Learning Loop"
WEAK_SECRETS = {"", "change-me", "secret", "dev", "development"}


def create_app(config: type[Config] | None = None) -> Flask:
    """Build the app from a config class, then LEARNING_LOOP_* environment variables."""
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_object(config or _config_from_env())
    app.config.from_prefixed_env("LEARNING_LOOP")
    if app.config["ENV_NAME"] == "development" and not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _local_secret_key(Path(app.instance_path))
    _require_settings(app)
    if app.config.get("PASSWORD_HASH_COST"):
        from surveys import accounts

        time_cost, memory_cost_kib = app.config["PASSWORD_HASH_COST"]
        accounts.use_password_cost(time_cost=time_cost, memory_cost_kib=memory_cost_kib)
    from webapp import (
        access,
        database,
        form_pages,
        limits,
        proxies,
        queue,
        routing,
        security,
        tasks,
        tenancy,
    )

    database.init_app(app)
    proxies.init_app(app)
    limits.init_app(app)
    form_pages.init_app(app)
    queue.init_app(app)
    tasks.init_app(app)
    app.before_request(_limit_form_fields)  # before CSRF, which reads the form first
    csrf.init_app(app)
    WTFormsHelpers(app)
    _register_templates(app)
    security.init_app(app)
    tenancy.init_app(app)  # after the user is loaded, before access is checked
    access.init_app(app)
    routing.init_app(app)  # before the blueprints add their routes
    _register_blueprints(app)
    from webapp import cli, errors

    errors.init_app(app)
    cli.init_app(app)
    return app


def _limit_form_fields() -> None:
    """Refuse URL-encoded bodies with too many fields (Werkzeug limits only multipart)."""
    from flask import abort, current_app, request

    limit = current_app.config["MAX_FORM_PARTS"]
    if request.method == "POST" and sum(1 for _ in request.form.items(multi=True)) > limit:
        abort(413)


def _config_from_env() -> type[Config]:
    name = os.environ.get("LEARNING_LOOP_ENV", "production")
    if name not in CONFIGS:
        raise ConfigError(f"LEARNING_LOOP_ENV must be one of {', '.join(CONFIGS)}")
    return CONFIGS[name]


def _local_secret_key(instance: Path) -> str:
    """Return this machine's development secret, creating it once (never committed)."""
    path = instance / "secret-key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _require_settings(app: Flask) -> None:
    missing = [key for key in ("SECRET_KEY", "DATABASE_URL") if not app.config.get(key)]
    if missing:
        names = ", ".join(f"LEARNING_LOOP_{key}" for key in missing)
        raise ConfigError(f"Set {names} before starting Learning Loop")
    secret = str(app.config["SECRET_KEY"])
    if app.config["ENV_NAME"] == "production" and (secret in WEAK_SECRETS or len(secret) < 32):
        raise ConfigError(
            "LEARNING_LOOP_SECRET_KEY must be a random value of 32 characters or more"
        )


def _register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("webapp"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    # A NUL posted back into a form is shown as U+FFFD: never echo control bytes into HTML.
    app.jinja_env.finalize = lambda value: (
        value.replace("\x00", "\ufffd") if isinstance(value, str) else value
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["service_name"] = SERVICE_NAME
    app.jinja_env.globals["partnership_name"] = app.config["PARTNERSHIP_NAME"]
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["form_name"] = form_name
    app.jinja_env.filters["file_size"] = format_size


def _register_blueprints(app: Flask) -> None:
    from webapp.actions.views import bp as actions_bp
    from webapp.admin.views import bp as admin_bp
    from webapp.api.views import bp as api_bp
    from webapp.assessments import bp as assessments_bp
    from webapp.audits.concerns import bp as concerns_bp
    from webapp.audits.views import bp as audits_bp
    from webapp.auth.views import bp as auth_bp
    from webapp.board.views import bp as board_bp
    from webapp.cycles import bp as cycles_bp
    from webapp.findings import bp as findings_bp
    from webapp.log import bp as log_bp
    from webapp.main.views import bp as main_bp
    from webapp.national_reviews.views import bp as national_bp
    from webapp.partnerships.views import bp as partnerships_bp
    from webapp.platform.views import bp as platform_bp
    from webapp.reports.views import bp as reports_bp
    from webapp.respond.views import bp as respond_bp
    from webapp.reviews.views import bp as reviews_bp
    from webapp.safeguarding.views import bp as safeguarding_bp
    from webapp.scrutiny import bp as scrutiny_bp
    from webapp.team.views import bp as team_bp
    from webapp.themes.carries import bp as carries_bp
    from webapp.themes.views import bp as themes_bp
    from webapp.training.views import bp as training_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(partnerships_bp)
    app.register_blueprint(platform_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(respond_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(cycles_bp)
    app.register_blueprint(safeguarding_bp)
    app.register_blueprint(scrutiny_bp)
    app.register_blueprint(findings_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(themes_bp)
    app.register_blueprint(carries_bp)
    app.register_blueprint(log_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(national_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(team_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(audits_bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(concerns_bp)
