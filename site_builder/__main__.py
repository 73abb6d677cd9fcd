"""Allow ``python -m site_builder``."""

from site_builder.cli import run

if __name__ == "__main__":
    run()
