"""The local WebAPI served by `crmscript serve`: see app.create_app and docs/api.md."""

from .app import DEFAULT_MAX_BODY, create_app

__all__ = ["DEFAULT_MAX_BODY", "create_app"]
