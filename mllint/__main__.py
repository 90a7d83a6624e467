"""Allow ``python -m mllint``."""

from mllint.cli import main

if __name__ == "__main__":
    main()
