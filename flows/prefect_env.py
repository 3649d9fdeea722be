"""Prefect settings for this project: offline, analytics off, home inside the work dir.

Set before `prefect` is imported (its settings are read from the environment). Values the
user already set win, so CI and tests can point PREFECT_HOME elsewhere.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "GX_ANALYTICS_ENABLED": "false",
}


def configure(prefect_home: Path) -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("PREFECT_HOME", str(prefect_home.resolve()))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def prefect_command() -> list[str]:
    executable = Path(sys.executable).with_name("prefect")
    return [str(executable)] if executable.exists() else [sys.executable, "-m", "prefect"]


def wait_healthy(api_url: str, timeout: float = 90.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"prefect server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"prefect server at {api_url} not healthy after {timeout:.0f} s")


def start_local_server(port: int | None = None, host: str = "127.0.0.1",
                       log_file: Path | None = None) -> tuple[subprocess.Popen, str]:
    """`prefect server start` on a loopback port, in its own process group; returns the
    process and its API URL once healthy. Stop it with `stop_server`."""
    port = port or free_port(host)
    api_url = f"http://{host}:{port}/api"
    output = log_file.open("ab") if log_file else subprocess.DEVNULL
    env = {**os.environ, "PREFECT_API_URL": "", "PREFECT_SERVER_API_HOST": host,
           "PREFECT_SERVER_API_PORT": str(port), "PREFECT_UI_ENABLED": os.environ.get("PREFECT_UI_ENABLED", "true")}
    env.pop("PREFECT_API_URL")
    process = subprocess.Popen([*prefect_command(), "server", "start", "--host", host, "--port", str(port)],
                               env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(api_url, process=process)
    except BaseException:
        stop_server(process)
        raise
    return process, api_url


def stop_server(process: subprocess.Popen, timeout: float = 20.0) -> None:
    import signal

    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass
