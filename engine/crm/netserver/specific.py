"""The agent methods real scripts use beyond the generic families (docs/netserver.md)."""

from __future__ import annotations

from .agents import SPECIFIC

_ = SPECIFIC
