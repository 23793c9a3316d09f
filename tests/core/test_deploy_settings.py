"""Production mode passes Django's deployment checklist; development defaults stay usable."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "JXC_PRODUCTION", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        JXC_PRODUCTION="1",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-4f9a2c",
        ALLOWED_HOSTS="jxc.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", JXC_PRODUCTION="1", ALLOWED_HOSTS="jxc.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
