"""The analyst pages, server-rendered with jinja2 and served by the API app under ``/ui/``.

Each page has a ``.json`` twin built from the same service calls; the CSS is
bundled (no CDN), so the pages work offline.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Add the pages and their static files to ``app``."""
    from flscreen.web import views

    app.include_router(views.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="static")


__all__ = ["install"]
