"""Strata's pytest plugin (registered as the `strata` pytest11 entry point).

Fixtures for developers who test against Strata. The window fixture arrives with the
editor window; for now this module only provides helpers that need no window.
"""

from __future__ import annotations
