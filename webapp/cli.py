"""Commands: `flask --app webapp db upgrade|downgrade`, `seed-demo`, `create-partnership`,
`create-user`, `worker`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from demo import people
from demo.collection import seed_collection
from demo.learning import seed_learning
from learning.theming_job import build_pipeline
from surveys import accounts, migration, partnerships, tenancy, users
from surveys.models import Organisation, Role
from webapp.database import session_factory
from webapp.form_pages import definitions
from webapp.queue import get_queue


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_partnership)
    app.cli.add_command(create_user)
    app.cli.add_command(worker)


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
            click.echo(
                f"Demo data loaded: organisations, people, a cycle of every form and "
                f"{count} responses. Finding their themes..."
            )
            pipeline = build_pipeline(
                session_factory(current_app), embedder=current_app.config["THEMING_EMBEDDER"]
            )
            seed_learning(session, definitions(), pipeline=pipeline)
            click.echo("Themes, learning log entries, board placements and actions are ready")
    if not quiet:
        click.echo(f"\nDemo sign-in details (password for everyone: {people.DEMO_PASSWORD})")
        for person in people.USERS:
            where = f", {person.organisation}" if person.organisation else ""
            click.echo(f"  {person.role.label:<30} {person.email}{where}")


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
@click.option("--role", default=None, type=click.Choice([r.value for r in Role]))
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
    role: str | None,
    partnership: str | None,
    organisation: str | None,
    platform_admin: bool,
) -> None:
    """Create a user with a role in a partnership, or a platform admin; the password is read
    from stdin (one line)."""
    if role is None and not platform_admin:
        raise click.ClickException("Give a --role in a partnership, or --platform-admin")
    password = sys.stdin.readline().rstrip("\n")
    with session_factory(current_app)() as session:
        if role is not None:
            tenancy.work_in(session, _partnership_id(session, partnership))
        try:
            user = users.create_user(
                session,
                users.NewUser(
                    email,
                    name,
                    Role(role) if role else None,
                    _organisation_id(session, organisation),
                ),
                password=password or None,
            )
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
