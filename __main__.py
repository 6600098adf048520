"""The demo project's program (the root Pulumi.yaml): the quickstart example, run from the project root.

Pulumi.yaml has no `main:` on purpose: a Pulumi release's own dynamic provider shim resolves a relative
`virtualenv` against `main` instead of the project (pulumi/pulumi#7061), so ModelLookup would not find .venv.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent / "examples" / "quickstart" / "__main__.py"), run_name="__main__")
