"""``python -m pulumi_pai_models.emulator``: run the emulator from the command line."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
