"""The package's version: read by ``pyproject.toml`` (setuptools' dynamic version) and written into every record."""

__version__ = "0.1.0"
