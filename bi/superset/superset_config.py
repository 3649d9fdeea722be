"""Superset configuration for the perfbudget dashboard (read by Superset through SUPERSET_CONFIG_PATH).

Local and offline: the metadata database is SQLite under data/bi/ (gitignored), the secret key comes
from the environment or a key file generated once beside it, and the Content-Security-Policy lets
the browser load nothing but this server (Superset's menu carries a telemetry pixel and its theme
allows web fonts from CDNs: both are blocked here). The data source is the published DuckDB
warehouse, opened read-only by duckdb-engine (see bi/superset/README.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BI_HOME = Path(os.environ.get("PERFBUDGET_BI_HOME", REPO / "data" / "bi")).resolve()
BI_HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SUPERSET_SECRET_KEY, else a random key kept in BI_HOME/secret_key (made once, mode 0600).

    Superset refuses to start on its built-in default key; the key encrypts database passwords
    in the metadata db, so it must stay the same for as long as that db lives."""
    if key := os.environ.get("SUPERSET_SECRET_KEY"):
        return key
    path = BI_HOME / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as stream:
            stream.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{BI_HOME / 'superset.db'}"
# SQLite metadata: no connection pool sharing across threads.
SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"check_same_thread": False}}

# DuckDB is not on Superset's block list (sqlite and shillelagh are); keep the check on.
PREVENT_UNSAFE_DB_CONNECTIONS = True

# Nothing leaves the machine.
FEATURE_FLAGS = {
    "THUMBNAILS": False,
    "ALERT_REPORTS": False,
    "ENABLE_TEMPLATE_PROCESSING": False,
    "EMBEDDED_SUPERSET": False,
    # Render every chart of the dashboard at once, not only those scrolled into view: one small
    # dashboard, and a screenshot or a reader scrolling sees every chart drawn.
    "DASHBOARD_VIRTUALIZATION": False,
}
MAPBOX_API_KEY = ""
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []
SLACK_API_TOKEN = None
SMTP_HOST = "localhost"
EMAIL_NOTIFICATIONS = False
CONTENT_SECURITY_POLICY_WARNING = False
TALISMAN_ENABLED = True
_SELF = ["'self'"]
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": _SELF,
        "default-src": _SELF,
        "img-src": [*_SELF, "blob:", "data:"],
        "worker-src": [*_SELF, "blob:"],
        "connect-src": _SELF,
        "object-src": "'none'",
        "style-src": [*_SELF, "'unsafe-inline'"],
        "font-src": [*_SELF, "data:"],
        "script-src": [*_SELF, "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}

# One local process: no Redis. Cache nothing (each chart query reads the current build).
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
RATELIMIT_STORAGE_URI = "memory://"

# The dashboard opens in Chinese-capable fonts from the OS (fonts-noto-cjk); English UI.
BABEL_DEFAULT_LOCALE = "en"
ROW_LIMIT = 50000
SQLLAB_CTAS_NO_LIMIT = True
