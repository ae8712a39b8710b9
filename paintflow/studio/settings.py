"""Django settings of paintflow studio. The project folder (uploads, renders, database) is
$PAINTFLOW_STUDIO_PROJECT; $PAINTFLOW_STUDIO_NETWORK=1 when listening beyond this machine (then every
page asks for a login)."""

import os
import secrets
from pathlib import Path

PROJECT = Path(os.environ.get("PAINTFLOW_STUDIO_PROJECT", Path.cwd())).resolve()
STATE = PROJECT / "studio"
STATE.mkdir(parents=True, exist_ok=True)
NETWORK = os.environ.get("PAINTFLOW_STUDIO_NETWORK") == "1"

_key = STATE / "secret_key"
if not _key.exists():
    _key.write_text(secrets.token_urlsafe(48))
    _key.chmod(0o600)
SECRET_KEY = _key.read_text().strip()
DEBUG = False  # never a traceback page: errors are shown in words
ALLOWED_HOSTS = ["*"] if NETWORK else ["127.0.0.1", "localhost", "[::1]", "testserver"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "paintflow.studio",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "paintflow.studio.access.LoginOnTheNetwork",
]
ROOT_URLCONF = "paintflow.studio.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
WSGI_APPLICATION = "paintflow.studio.wsgi.application"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(STATE / "studio.sqlite3"),
        "OPTIONS": {"timeout": 20},
    }
}
LOGIN_URL = "/login/"
UPLOAD_LIMIT = int(os.environ.get("PAINTFLOW_STUDIO_UPLOAD_MB", "2048")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 1000  # a long video's painted keyframes, in one upload
USE_TZ = True
TIME_ZONE = "UTC"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"file": {"class": "logging.FileHandler", "filename": str(STATE / "studio.log")}},
    "root": {"handlers": ["file"], "level": "WARNING"},
}
