"""The REST API: ``create_app()`` builds the FastAPI app (``flscreen serve`` runs it)."""

from flscreen.api.app import create_app
from flscreen.http.state import Limits

__all__ = ["Limits", "create_app"]
