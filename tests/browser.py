"""Headless Chromium (Debian's `chromium`, installed by .ci/run) for tests that check what a
person sees: a page rendered with no network, its DOM read back."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--proxy-server=127.0.0.1:9")  # anything the page tried to fetch from elsewhere fails


def chromium() -> str:
    """The browser's path; skips on a developer machine without it, fails in CI."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium before the tests")
        pytest.skip("no chromium on this machine (.ci/run installs it)")
    return found


def dump_dom(url: str, profile: Path, virtual_time_ms: int = 0) -> str:
    """The DOM of `url` after it loaded (and ran its scripts for `virtual_time_ms`)."""
    budget = [f"--virtual-time-budget={virtual_time_ms}"] if virtual_time_ms else []
    done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *budget, "--dump-dom", url],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
