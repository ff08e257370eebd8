"""Optional persistent XLA compilation cache: a second process reuses compiled programs."""

from __future__ import annotations

import os


def enable_compilation_cache(path: str, min_compile_seconds: float = 0.0) -> str:
    """Store compiled programs under ``path`` and reuse them in later processes.

    Every program of this package is compiled once per shape bucket; with the cache a new
    process loads them from disk instead of compiling. ``min_compile_seconds``: programs that
    compile faster than this are not cached (JAX's default is 1 s; ours are often below).
    Returns the absolute cache path.
    """
    import jax

    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValueError(f"path must be a non-empty directory path, got {path!r}")
    path = os.path.abspath(os.fspath(path))
    os.makedirs(path, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(min_compile_seconds))
    try:  # only in newer jax versions
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    except AttributeError:
        pass
    return path
