"""`paintflow studio`: the studio served by waitress (a production WSGI server), on 127.0.0.1 by
default. Listening on the network needs a login: `paintflow studio --set-password` first."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from .. import PaintflowError


def setup(project: Path, network: bool = False) -> None:
    os.environ["PAINTFLOW_STUDIO_PROJECT"] = str(Path(project).resolve())
    os.environ["PAINTFLOW_STUDIO_NETWORK"] = "1" if network else "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paintflow.studio.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def set_password(project: Path, password: str) -> None:
    setup(project)
    from django.contrib.auth.models import User

    if len(password) < 8:
        raise PaintflowError("the studio password needs at least 8 characters")
    user, _ = User.objects.get_or_create(username="studio")
    user.set_password(password)
    user.save()


def queue_loop(every: float = 2.0) -> None:
    from . import project

    while True:
        try:
            project.schedule()
        except Exception:  # the next round retries; the page requests schedule too
            pass
        time.sleep(every)


def request_body_limit() -> int:
    """The largest request the server takes: a form with a video and a painting at the studio's own upload
    limit, and room for the rest — so the studio, not the server in front of it, says what is too large."""
    from django.conf import settings

    return 2 * settings.UPLOAD_LIMIT + 64 * 1024 * 1024


def serve(project: Path, host: str = "127.0.0.1", port: int = 8765, threads: int = 8) -> None:
    network = host not in ("127.0.0.1", "localhost", "::1")
    setup(project, network)
    if network:
        from django.contrib.auth.models import User

        if not User.objects.exists():
            raise PaintflowError(
                f"the studio would listen on the network ({host}): set a password first with "
                f"`paintflow studio --set-password` (anybody who can reach it could render)"
            )
    threading.Thread(target=queue_loop, daemon=True).start()
    from waitress import serve as waitress_serve

    from .wsgi import application

    print(f"paintflow studio: http://{host}:{port}/ (project {Path(project).resolve()})", flush=True)
    waitress_serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="paintflow-studio",
        max_request_body_size=request_body_limit(),  # waitress's own default (1 GiB) is below the studio's limit
    )
