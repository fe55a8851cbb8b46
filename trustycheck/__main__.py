"""Allow ``python -m trustycheck``."""

from trustycheck.cli import main

if __name__ == "__main__":
    main()
