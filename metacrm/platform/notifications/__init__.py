"""In-app notifications for users (docs/workflows.md, "Notifications"): the ``notify`` workflow action
writes them, the API and the bell in the app shell read them; each user sees only their own."""

from __future__ import annotations

from . import store
from .tables import notification, notification_preference

__all__ = ["notification", "notification_preference", "store"]
