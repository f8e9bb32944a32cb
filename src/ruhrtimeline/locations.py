"""Where things are: the bundled store, the store to use, and the cache folder.

Standard library only, so that the entry point can find cached help without loading more.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_STORE = "RUHRTIMELINE_STORE"
ENV_CACHE_DIR = "RUHRTIMELINE_CACHE_DIR"


def installed_with_package(path: Path) -> bool:
    """Whether ``path`` is the record installed inside the package (never written to)."""
    return path.resolve() == Path(__file__).resolve().parent / "data" / "events.yaml"


def bundled_store_path() -> Path:
    """The store that ships with the package (or, in a source checkout, ``data/events.yaml``)."""
    here = Path(__file__).resolve().parent
    packaged = here / "data" / "events.yaml"
    if packaged.is_file():
        return packaged
    return here.parent.parent / "data" / "events.yaml"


#: The names a store is found by, in the current folder or one of its parents (as git finds
#: its repository): a clone of this repository works on its own ``data/events.yaml``.
STORE_NAMES = ("ruhrtimeline.yaml", "data/events.yaml")


def find_store(start: Path | None = None) -> Path | None:
    """The first store named in `STORE_NAMES` in ``start`` (default: the current folder) or
    one of its parents, as a path relative to the current folder where it can be."""
    here = Path.cwd() if start is None else start
    for folder in (here, *here.resolve().parents):
        for name in STORE_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate if start is not None else _relative(candidate)
    return None


def _relative(path: Path) -> Path:
    try:
        return Path(os.path.relpath(path))
    except ValueError:  # another drive (Windows)
        return path


def resolve_store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The store to use: ``path`` if given, else ``$RUHRTIMELINE_STORE``, else a store found
    in the current folder or its parents, else the bundled store."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV_STORE)
    if env:
        return Path(env)
    return find_store() or bundled_store_path()


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
