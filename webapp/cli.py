"""Commands: `flask --app webapp db upgrade|downgrade`, `seed-demo`, `create-partnership`,
`create-user`, `worker`, `export-partnership`, `delete-partnership`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from demo import neighbour, people
from demo.assurance import seed_last_year, seed_scrutiny
from demo.audits import seed_audits
from demo.collection import seed_collection
from demo.learning import seed_learning
from demo.national_reviews import seed_national_reviews
from demo.neighbour import seed_neighbour
from demo.practitioners import seed_practitioners
from demo.reviews import seed_reviews
from demo.training import seed_training
from learning.theming_job import build_pipeline
from surveys import accounts, leaving, migration, partnerships, tenancy, users
from surveys.errors import NotExportedRecently, PartnershipExitRefused, UnknownPartnership
from surveys.models import Organisation, Role
from webapp.database import reading_session_factory, session_factory
from webapp.form_pages import data_folder, definitions, person_key_secret
from webapp.queue import get_queue


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_partnership)
    app.cli.add_command(create_user)
    app.cli.add_command(worker)
    app.cli.add_command(export_partnership)
    app.cli.add_command(delete_partnership)


@click.group()
def db() -> None:
    """Migrate the database."""


@db.command()
@click.option("--revision", default="head", show_default=True)
def upgrade(revision: str) -> None:
    """Upgrade the database to a revision."""
    migration.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database upgraded to {revision}")


@db.command()
@click.option("--revision", required=True, help='A revision id, or "base" to empty it')
def downgrade(revision: str) -> None:
    """Downgrade the database to a revision."""
    migration.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database downgraded to {revision}")


@click.command("seed-demo")
@click.option("--quiet", is_flag=True, help="Do not print sign-in details")
def seed_demo(quiet: bool) -> None:
    """Load the demo partnership into an empty database and print its sign-in details."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is for development only (LEARNING_LOOP_ENV)")
    with session_factory(current_app)() as session:
        if people.is_seeded(session):
            click.echo("The database already has data: demo not loaded")
        else:
            people.seed(session)
            count = seed_collection(session, definitions())
            count += seed_last_year(session, definitions())
            seed_neighbour(session, definitions())
            seed_scrutiny(session, definitions())
            seed_practitioners(session)
            seed_reviews(session, definitions())
            seed_audits(session, definitions())
            seed_national_reviews(session, definitions())
            count += seed_training(session, definitions(), secret=person_key_secret())
            click.echo(
                f"Demo data loaded: organisations, people, a cycle of every form and "
                f"{count} responses. Finding their themes..."
            )
            pipeline = build_pipeline(  # the demo partnership's own embeddings cache
                tenancy.sessions_like(session), embedder=current_app.config["THEMING_EMBEDDER"]
            )
            seed_learning(session, definitions(), pipeline=pipeline)
            click.echo("Themes, learning log entries, board placements and actions are ready")
    if not quiet:
        click.echo(f"\nDemo sign-in details (password for everyone: {people.DEMO_PASSWORD})")
        for person in people.USERS:
            where = f", {person.organisation}" if person.organisation else ""
            click.echo(f"  {person.role_labels:<30} {person.email}{where}")
        click.echo(f"\nIn the neighbouring {neighbour.PARTNERSHIP} (same password):")
        for person in neighbour.USERS:
            click.echo(f"  {person.role_labels:<30} {person.email}")


@click.command("create-partnership")
@click.option("--name", required=True)
@click.option("--front-door-name", default="", help="Named on child and family forms")
@click.option("--front-door-phone", default="")
def create_partnership(name: str, front_door_name: str, front_door_phone: str) -> None:
    """Add a partnership to the service (then invite its admin with create-user)."""
    with session_factory(current_app)() as session:
        details = partnerships.PartnershipDetails(name, front_door_name, front_door_phone)
        try:
            created = partnerships.create_partnership(session, details, created_by=None)
        except accounts.AccountError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Partnership {created.id} created")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "role_values",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles (at most one of organisation_lead, organisation_contributor)",
)
@click.option(
    "--partnership", default=None, help="The partnership's name (needed when there are several)"
)
@click.option("--organisation", default=None, help="The organisation's name, for its people")
@click.option(
    "--platform-admin",
    is_flag=True,
    help="May create partnerships and invite their admins (sees no partnership's data)",
)
def create_user(
    email: str,
    name: str,
    role_values: tuple[str, ...],
    partnership: str | None,
    organisation: str | None,
    platform_admin: bool,
) -> None:
    """Create a user with one or more roles in a partnership, or a platform admin; the
    password is read from stdin (one line)."""
    if not role_values and not platform_admin:
        raise click.ClickException("Give a --role in a partnership, or --platform-admin")
    password = sys.stdin.readline().rstrip("\n")
    with session_factory(current_app)() as session:
        if role_values:
            tenancy.work_in(session, _partnership_id(session, partnership))
        try:
            organisation_id = _organisation_id(session, organisation)
            new = (
                users.NewUser.holding(
                    email, name, frozenset(Role(v) for v in role_values), organisation_id
                )
                if role_values
                else users.NewUser(email, name, None, organisation_id)
            )
            user = users.create_user(session, new, password=password or None)
            if platform_admin:
                partnerships.make_platform_admin(session, user)
        except accounts.AccountError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"User {user.id} created")


def _partnership_id(session: Session, name: str | None) -> int:
    if name is None:
        everyone = tenancy.partnership_ids(session)
        if not everyone:
            raise click.ClickException("No partnership yet: add one with create-partnership")
        if len(everyone) > 1:
            raise click.ClickException("Name the user's partnership with --partnership")
        return everyone[0]
    found = partnerships.partnership_named(session, name)
    if found is None:
        raise click.ClickException(f"No partnership is called {name!r}")
    return found.id


def _organisation_id(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    found = session.scalar(select(Organisation.id).where(Organisation.name == name))
    if found is None:
        raise click.ClickException(f"No organisation is called {name!r}")
    return found


@click.command()
@click.option("--workers", default=2, show_default=True, help="Worker threads")
def worker(workers: int) -> None:
    """Run a job worker: on this machine or any other sharing the queue and database.

    The models load as it starts (in a thread), not inside its first job: jobs that need
    them wait for the warm-up, others run at once.
    """
    from huey.consumer import Consumer

    from learning.theming_job import start_warm_up

    start_warm_up(
        embedder=current_app.config["THEMING_EMBEDDER"],
        semantic_screen=current_app.config["SEMANTIC_SCREEN"],
        on_ready=lambda model, seconds: click.echo(f"Worker: {model} ready after {seconds:.1f} s"),
    )
    Consumer(get_queue(current_app), workers=workers, worker_type="thread").run()


@click.command("export-partnership")
@click.argument("name")
@click.option(
    "--to",
    "path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The ZIP file to write",
)
def export_partnership(name: str, path: Path) -> None:
    """Export everything the partnership NAME owns into one ZIP."""
    import learning.models  # noqa: F401 - the learning tables are the partnership's too

    if path.exists():
        raise click.ClickException(f"{path} already exists: choose a new file name")
    with reading_session_factory(current_app)() as session:  # SQLite: writers keep working
        try:
            partnership_id = leaving.partnership_named(session, name)
        except UnknownPartnership as error:
            raise click.ClickException(str(error)) from error
        summary = leaving.export_partnership(
            session, partnership_id, to=path, evidence_folder=data_folder() / "evidence"
        )
    click.echo(
        f"Exported {name}: {sum(summary.rows.values())} rows from {len(summary.rows)} tables "
        f"and {summary.evidence_files} evidence files to {path}"
    )
    if summary.missing_evidence_ids:
        click.echo(f"{len(summary.missing_evidence_ids)} evidence files were missing from disk")


@click.command("delete-partnership")
@click.argument("name")
@click.option("--confirm", required=True, help="The partnership's name again, exactly")
@click.option(
    "--without-export",
    is_flag=True,
    help="Delete even though it has not been exported in the last 24 hours",
)
def delete_partnership(name: str, confirm: str, without_export: bool) -> None:
    """Delete the partnership NAME, everything it owns, and the people only it used."""
    import learning.models  # noqa: F401 - the learning tables are the partnership's too

    if confirm != name:
        raise click.ClickException(
            "Nothing was deleted: --confirm must repeat the partnership's name exactly"
        )
    with session_factory(current_app)() as session:
        try:
            partnership_id = leaving.partnership_named(session, name)
            summary = leaving.delete_partnership(
                session,
                partnership_id,
                evidence_folder=data_folder() / "evidence",
                require_recent_export=not without_export,
            )
        except NotExportedRecently as error:
            raise click.ClickException(
                f"{name} has not been exported in the last 24 hours, so nothing was deleted. "
                f"Run export-partnership {name!r} --to FILE.zip first, or add --without-export "
                "to delete it without an export"
            ) from error
        except (PartnershipExitRefused, UnknownPartnership) as error:
            raise click.ClickException(str(error)) from error
    click.echo(
        f"Deleted {name}: {sum(summary.rows.values())} rows; people deleted "
        f"{summary.people_deleted}, deactivated {summary.people_deactivated} (named by another "
        f"partnership's records); organisations deleted {summary.organisations_deleted}, "
        f"deactivated {summary.organisations_deactivated}; evidence files removed "
        f"{summary.evidence_files_removed}, kept {summary.evidence_files_kept} (shared)"
    )
