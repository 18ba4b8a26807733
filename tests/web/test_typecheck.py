"""Every web module type-checks (vue-tsc, strict): the build itself does not gate on types."""

from __future__ import annotations

import subprocess

from .conftest import WEB


def test_console_type_checks(npm: str) -> None:
    result = subprocess.run([npm, "run", "--silent", "typecheck"], cwd=WEB, capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
