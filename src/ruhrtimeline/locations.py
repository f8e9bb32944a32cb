"""Where things are: the bundled store, the store to use, and the cache folder.

Standard library only, so that the entry point can find cached help without loading more.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_STORE = "RUHRTIMELINE_STORE"
ENV_CACHE_DIR = "RUHRTIMELINE_CACHE_DIR"


def bundled_store_path() -> Path:
    """The store that ships with the package (or, in a source checkout, ``data/events.yaml``)."""
    here = Path(__file__).resolve().parent
    packaged = here / "data" / "events.yaml"
    if packaged.is_file():
        return packaged
    return here.parent.parent / "data" / "events.yaml"


def resolve_store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``path`` if given, else ``$RUHRTIMELINE_STORE``, else the bundled store."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV_STORE)
    return Path(env) if env else bundled_store_path()


def cache_dir() -> Path:
    """Where indexes are kept: ``$RUHRTIMELINE_CACHE_DIR`` or the platform's cache folder."""
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "ruhrtimeline" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ruhrtimeline"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ruhrtimeline"
