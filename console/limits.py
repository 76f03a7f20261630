"""The app's attempt limiters (staff login, public lookup), sized from the settings."""
from __future__ import annotations

from flask import current_app

from console.deps import components
from intake.attempts import AttemptLimiter, minutes

__all__ = ["limiter", "minutes"]


def limiter(name: str, section: str, attempts_option: str, window_option: str) -> AttemptLimiter:
    """The app's limiter called `name`, sized from settings[section] on first use."""
    found = current_app.extensions.get(f"pakn_limiter_{name}")
    if found is None:
        options = components().settings[section]
        found = AttemptLimiter(int(options[attempts_option]), float(options[window_option]))
        current_app.extensions[f"pakn_limiter_{name}"] = found
    return found
