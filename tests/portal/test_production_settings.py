"""Production settings pass Django's deployment checks with only the documented variables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_with_the_documented_environment():
    result = subprocess.run(
        [sys.executable, "scripts/check_deploy.py"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {"PORTAL_PRODUCTION": "true", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
