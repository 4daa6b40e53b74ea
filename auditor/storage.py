"""Static files storage for production: WhiteNoise's hashed, compressed files."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Vendored minified bundles name source maps that are not shipped; rewriting JavaScript
    # references would fail collectstatic on them, and our own scripts reference nothing.
    patterns = tuple((glob, rules) for glob, rules in CompressedManifestStaticFilesStorage.patterns if glob != "*.js")
