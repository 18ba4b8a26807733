"""Renders deploy/nginx/campusguard.conf with this platform's secret and paths (and a runnable nginx.conf)."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[3] / "deploy" / "nginx" / "campusguard.conf"


def render(*, secret: str, video_root: Path, app: str = "127.0.0.1:8000", listen: str = "80",
           template: Path = TEMPLATE) -> str:
    """The server block for conf.d/ with the placeholders filled in."""
    if not template.exists():
        raise FileNotFoundError(f"nginx template not found at {template} (run from a source checkout)")
    if any(c in secret for c in ' ;"\'\n{}$'):
        raise ValueError("the media secret must not contain spaces, quotes, ';', '$' or braces")
    text = template.read_text()
    for key, value in {"@SECRET@": secret, "@VIDEO_ROOT@": str(video_root), "@APP@": app,
                       "@LISTEN@": listen}.items():
        text = text.replace(key, value)
    return text


def standalone(server_conf: str, prefix: Path, *, extra: str = "", workers: str = "auto",
               connections: int = 8192) -> str:
    """A complete nginx.conf around rendered server blocks (benchmarks, tests, `nginx -p prefix`)."""
    for sub in ("logs", "spool"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    return f"""worker_processes {workers};
worker_rlimit_nofile {connections * 2};
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
daemon off;
events {{ worker_connections {connections}; multi_accept on; }}
http {{
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path {prefix}/spool/body;
    proxy_temp_path {prefix}/spool/proxy;
    fastcgi_temp_path {prefix}/spool/fastcgi;
    uwsgi_temp_path {prefix}/spool/uwsgi;
    scgi_temp_path {prefix}/spool/scgi;
{server_conf}
{extra}
}}
"""
