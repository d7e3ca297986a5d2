"""Run `manage.py check --deploy --fail-level WARNING` with only the documented production
environment variables set (throwaway values), as the README's production section lists them."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "PORTAL_PRODUCTION": "true",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "TOKEN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "ALLOWED_HOSTS": "portal.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.com",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "GOTO_API_BASE_URL": "https://api.getgo.com/G2M/rest",
    "GOTO_AUTH_BASE_URL": "https://authentication.logmeininc.com",
    "GOTO_DIRECT_LOGIN_URL": "https://api.getgo.com/oauth/access_token",
    "GOTO_CLIENT_ID": "example-client-id",
    "GOTO_CLIENT_SECRET": "example-client-secret",
}

if __name__ == "__main__":
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DEBUG"}
    env.update(PRODUCTION_ENV)
    cmd = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    sys.exit(subprocess.call(cmd, cwd=ROOT, env=env))
