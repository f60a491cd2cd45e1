"""The wijkgeo exception tree.

Every error wijkgeo raises on purpose is a :class:`WijkgeoError`. Messages say what is
wrong, where (file, URL, row or feature) and what the user can do about it. Low-level
errors (requests, pyogrio, json) are translated at the boundary where they happen.

::

    WijkgeoError
    ├── SourceError          a remote source failed (HTTP status, timeout, bad payload)
    ├── DataValidationError  input data is malformed (bad code, bad CSV row, wrong CRS)
    ├── StoreError           the local store is missing, locked or damaged
    │   └── NotInStoreError  the requested gemeente/year was never stored
    ├── OutputError          an output (map, profile, export, log) could not be written
    └── ConfigError          a configuration or argument is invalid
        └── MissingExtraError  an optional part (matplotlib, a browser) is not installed
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataValidationError",
    "MissingExtraError",
    "NotInStoreError",
    "OutputError",
    "SourceError",
    "StoreError",
    "WijkgeoError",
]


class WijkgeoError(Exception):
    """Base class of all errors raised by wijkgeo."""


class SourceError(WijkgeoError):
    """A remote source (CBS, PDOK) could not deliver what was asked.

    Parameters
    ----------
    message : str
        What went wrong and what the user can do.
    url : str, optional
        The URL that failed.
    status : int, optional
        The HTTP status code, when there was a response.
    """

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        self.url = url
        self.status = status
        parts = [message]
        if url:
            parts.append(f"URL: {url}")
        if status is not None:
            parts.append(f"HTTP-status: {status}")
        super().__init__(" | ".join(parts))


class DataValidationError(WijkgeoError, ValueError):
    """Input data is malformed: a bad code, a broken CSV row, a CRS mismatch."""


class StoreError(WijkgeoError):
    """The local store is missing, locked or damaged."""


class NotInStoreError(StoreError, LookupError):
    """The requested gemeente and year are not in the store."""


class OutputError(WijkgeoError):
    """An output file or folder could not be written (exit code 3); the message names it."""


class ConfigError(WijkgeoError, ValueError):
    """A configuration file or argument is invalid."""


class MissingExtraError(ConfigError):
    """An optional part is not installed (matplotlib for ``--png``, a browser for ``--pdf``);
    the message says how to install it."""
