"""The real server (`campusguard serve`) as a child process, shared by the benchmarks."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    """A TCP port the kernel just handed out, so parallel benches do not collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`campusguard serve --allow-sqlite` in a child process, ready when its log markers and health check say so."""

    def __init__(self, env: dict[str, str], port: int, logfile: Path, *,
                 ready_log: tuple[bytes, ...] = (), health_path: str | None = "/healthz") -> None:
        self.env, self.port, self.logfile = env, port, logfile
        self.ready_log, self.health_path = ready_log, health_path
        self.proc: subprocess.Popen[bytes] | None = None

    def _ready(self) -> bool:
        """Every log marker seen (e.g. the MQTT intake connected) and, if asked, the health check answering 200."""
        if self.ready_log:
            text = self.logfile.read_bytes()
            if not all(marker in text for marker in self.ready_log):
                return False
        if self.health_path is None:
            return True
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"http://127.0.0.1:{self.port}{self.health_path}", timeout=1).status_code == 200
        return False

    def start(self, timeout_s: float = 180.0) -> None:
        """Start the server and block until it is ready; its log tail is in the error if it exits or hangs."""
        with self.logfile.open("ab") as out:
            command = [sys.executable, "-m", "campusguard.cli", "serve", "--allow-sqlite", "--port", str(self.port)]
            self.proc = subprocess.Popen(command, env=self.env, stdout=out, stderr=out, cwd=ROOT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited:\n" + self.logfile.read_text()[-2000:])
            if self._ready():
                return
            time.sleep(0.2)
        raise RuntimeError("server did not start:\n" + self.logfile.read_text()[-2000:])

    def stop(self) -> None:
        """SIGTERM for a clean shutdown (lifespan hooks run), SIGKILL after 20 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
