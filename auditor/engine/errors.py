"""Errors the engine raises to its callers."""


class EngineUsageError(Exception):
    """The audit cannot start: no Convex folder, a bad config file, a PATH that is not a folder."""
