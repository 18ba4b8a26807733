"""The `campusguard` command: demo, serve, migrations, users, seeding, audit, benchmarks."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from campusguard.config import Settings

app = typer.Typer(help="CampusGuard — city-wide smart campus security platform", no_args_is_help=True)
db_app = typer.Typer(help="Database schema")
user_app = typer.Typer(help="Users")
seed_app = typer.Typer(help="Seed data")
audit_app = typer.Typer(help="Audit log")
bench_app = typer.Typer(help="Benchmarks (JSON output, with baselines measured in the same run)")
eval_app = typer.Typer(help="Accuracy evaluations")
for sub, name in ((db_app, "db"), (user_app, "user"), (seed_app, "seed"), (audit_app, "audit"),
                  (bench_app, "bench"), (eval_app, "eval")):
    app.add_typer(sub, name=name)

DOMAINS = ("org", "accounts", "device", "alarm", "video", "face", "hazard", "patrol", "task", "bulletin",
           "drill", "stats", "assessment", "rollout")


def _optional(module: str) -> object | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


for _domain in DOMAINS:
    _mod = _optional(f"campusguard.{_domain}.cli")
    if _mod is not None and hasattr(_mod, "register"):
        _mod.register(app, bench_app, eval_app)


def _settings(demo: bool = False, data_dir: Path | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    if demo:
        values["demo_mode"] = True
        if "CG_MFA_REQUIRED_ROLES" not in os.environ:
            values["mfa_required_roles"] = []
    return Settings(**values)  # type: ignore[arg-type]


def _out(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply every domain's migrations to CG_DATABASE_URL (or the embedded SQLite file)."""
    from campusguard.core.migrate import upgrade

    settings = _settings(demo=os.environ.get("CG_SECRET_KEY") is None)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.db_url, revision)
    typer.echo(f"schema upgraded to {revision} on {settings.db_url.split('@')[-1]}")


@user_app.command("create")
def user_create(username: Annotated[str, typer.Option()], password: Annotated[str, typer.Option()],
                role: Annotated[str, typer.Option()],
                scope: Annotated[str, typer.Option(help="region code, or comma-separated school codes")] = "",
                display_name: Annotated[str | None, typer.Option()] = None) -> None:
    """Create a user (as the system) in the database of CG_DATABASE_URL / CG_DATA_DIR."""
    from campusguard.accounts import service
    from campusguard.accounts.schemas import UserIn
    from campusguard.core import crypto
    from campusguard.core.auth import SYSTEM
    from campusguard.core.db import Database
    from campusguard.core.errors import ProblemError
    from campusguard.core.permissions import REGION_ROLES, Role

    settings = _settings(demo=os.environ.get("CG_SECRET_KEY") is None)
    crypto.configure(settings.secret())
    r = Role(role)
    data = UserIn(username=username, password=password, role=r, display_name=display_name or username,
                  region_code=scope if r in REGION_ROLES else None,
                  school_codes=[] if r in REGION_ROLES else [c for c in scope.split(",") if c])
    db = Database(settings.db_url)
    try:
        with db.session() as session:
            user = service.create_user(session, SYSTEM, data)
            _out({"id": user.id, "username": user.username, "role": user.role})
    except ProblemError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from exc
    finally:
        db.dispose()


@user_app.command("totp")
def user_totp(username: str) -> None:
    """Enrol (or re-enrol) a user's TOTP second factor and print the otpauth URI once."""
    import pyotp

    from campusguard.accounts import service
    from campusguard.core import crypto
    from campusguard.core.db import Database

    settings = _settings(demo=os.environ.get("CG_SECRET_KEY") is None)
    crypto.configure(settings.secret())
    db = Database(settings.db_url)
    with db.session() as session:
        user = service.by_username(session, username)
        if user is None:
            typer.echo("no such user", err=True)
            raise typer.Exit(2)
        secret = service.enrol_totp_admin(session, user)
    _out({"username": username, "secret": secret,
          "otpauth_uri": pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="CampusGuard")})


@seed_app.command("demo")
def seed_demo(districts: Annotated[int, typer.Option(min=1, max=9)] = 3,
              schools: Annotated[int, typer.Option(min=1, max=2000, help="schools per district")] = 8,
              data_dir: Annotated[Path | None, typer.Option()] = None) -> None:
    """Seed a realistic demo city (if empty) and print the demo logins once."""
    from campusguard.core import crypto
    from campusguard.core.db import Database
    from campusguard.core.migrate import upgrade
    from campusguard.org.seed import seed_city

    settings = _settings(demo=True, data_dir=data_dir)
    crypto.configure(settings.secret())
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.db_url)
    db = Database(settings.db_url)
    with db.session() as session:
        logins = seed_city(session, districts=districts, schools_per_district=schools)
    db.dispose()
    _print_logins(logins)


def _print_logins(logins: list[dict[str, str]] | None) -> None:
    if not logins:
        typer.echo("demo city already seeded (logins were printed when it was created; see the README)")
        return
    typer.echo("\nDemo logins (shown once):")
    for row in logins:
        typer.echo(f"  {row['role']:<16} {row['username']:<22} {row['password']}   {row['scope']}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit hash chain; exit 1 on the first tampered, missing or reordered row."""
    from campusguard.core import audit
    from campusguard.core.db import Database

    settings = _settings(demo=os.environ.get("CG_SECRET_KEY") is None)
    db = Database(settings.db_url)
    with db.session() as session:
        result = audit.verify(session)
    db.dispose()
    _out({"ok": result.ok, "rows": result.rows, "first_bad_seq": result.first_bad_seq, "reason": result.reason})
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          allow_sqlite: Annotated[bool, typer.Option(help="single-node embedded database")] = False,
          jobs: Annotated[bool, typer.Option(help="run the job scheduler in this process")] = True) -> None:
    """Production server: needs CG_SECRET_KEY and a real CG_DATABASE_URL."""
    import uvicorn

    if not os.environ.get("CG_SECRET_KEY"):
        typer.echo("refusing to start: set CG_SECRET_KEY", err=True)
        raise typer.Exit(2)
    url = os.environ.get("CG_DATABASE_URL", "")
    if not url or (url.startswith("sqlite") and not allow_sqlite):
        typer.echo("refusing to start: set CG_DATABASE_URL to PostgreSQL (or pass --allow-sqlite)", err=True)
        raise typer.Exit(2)
    from campusguard.core.migrate import upgrade

    upgrade(url)
    os.environ["CG_RUN_JOBS"] = "1" if jobs else "0"
    uvicorn.run("campusguard.cli:_factory", factory=True, host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=True)


def _factory() -> object:
    from campusguard.app import create_app

    settings = Settings(demo_mode=os.environ.get("CG_DEMO") == "1")
    return create_app(settings, run_jobs=os.environ.get("CG_RUN_JOBS", "1") == "1")


@app.command()
def demo(port: int = 8000, host: str = "127.0.0.1",
         data_dir: Annotated[Path | None, typer.Option(envvar="CG_DATA_DIR")] = None,
         districts: int = 3, schools: int = 8,
         simulators: Annotated[bool, typer.Option(help="start device, camera and guard simulators")] = True) -> None:
    """Embedded demo: SQLite + in-process bus, seeds the demo city if empty, starts simulators, serves."""
    import uvicorn

    from campusguard.core import crypto
    from campusguard.core.db import Database
    from campusguard.core.migrate import upgrade
    from campusguard.org.seed import seed_city

    # The embedded demo needs no server; it uses the machine's Mosquitto when one answers.
    if "CG_MQTT_URL" not in os.environ and _port_open(1883):
        os.environ["CG_MQTT_URL"] = "mqtt://127.0.0.1:1883"
    if "CG_DC09_PORT" not in os.environ and not _port_open(port + 1000):
        os.environ["CG_DC09_PORT"] = str(port + 1000)
    settings = _settings(demo=True, data_dir=data_dir or Path(os.environ.get("CG_DATA_DIR", "var")),
                         public_base_url=f"http://{host}:{port}")
    crypto.configure(settings.secret())
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.db_url)
    db = Database(settings.db_url)
    with db.session() as session:
        logins = seed_city(session, districts=districts, schools_per_district=schools)
    db.dispose()
    _print_logins(logins)
    os.environ["CG_DEMO"] = "1"
    os.environ["CG_DATA_DIR"] = str(settings.data_dir)
    os.environ.setdefault("CG_MFA_REQUIRED_ROLES", "[]")
    procs: list[subprocess.Popen[bytes]] = []
    if simulators:
        procs = _start_simulators(settings, f"http://{host}:{port}")
    typer.echo(f"\nCampusGuard demo on http://{host}:{port}  (data in {settings.data_dir}; "
               f"MQTT {settings.mqtt_url or 'off'}, DC-09 port {settings.dc09_port or 'off'})")
    try:
        uvicorn.run("campusguard.cli:_factory", factory=True, host=host, port=port, log_level="warning")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()


def _port_open(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _start_simulators(settings: Settings, base_url: str) -> list[subprocess.Popen[bytes]]:
    """Each domain's demo module may name simulator commands to run beside the demo server."""
    procs: list[subprocess.Popen[bytes]] = []
    repo = Path(__file__).resolve().parents[2]
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))  # the simulators live in sim/ beside the package
    for domain in DOMAINS:
        mod = _optional(f"campusguard.{domain}.demo")
        if mod is None or not hasattr(mod, "simulators"):
            continue
        try:
            commands = mod.simulators(settings, base_url)
        except Exception as exc:
            typer.echo(f"simulator of {domain} not started: {exc}", err=True)
            continue
        for cmd in commands:
            log = (settings.data_dir / f"sim-{domain}.log").open("ab")
            procs.append(subprocess.Popen(cmd, cwd=repo, stdout=log, stderr=log,
                                          env={**os.environ, "PYTHONPATH": str(repo)}))
    return procs


def main() -> None:  # pragma: no cover
    app(prog_name="campusguard")


if __name__ == "__main__":  # pragma: no cover
    main()
