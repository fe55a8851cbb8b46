"""trustycheck: a linter for CI workflows that publish Python packages."""

__version__ = "0.1.0"
