"""`python -m pulumi_pai_models.cli`: the `pai-models` command."""

import sys

from . import main

sys.exit(main())
