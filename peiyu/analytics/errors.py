"""Errors of the analytics layer (messages are Chinese and can be shown as they are)."""

from __future__ import annotations


class AnalyticsError(ValueError):
    """A bad parameter (the message is Chinese and can be shown as is)."""


class MonthNotAvailable(AnalyticsError):
    """A well-formed month the library has no data for (the API answers 404)."""
