"""The demo project's program (the root Pulumi.yaml): the quickstart example, run from the project root (why not
through `main:` is said in Pulumi.yaml)."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent / "examples" / "quickstart" / "__main__.py"), run_name="__main__")
