"""`python -m pulumi_pai_models.policy <engine address>` (also the console script `pai-models-policy-pack`): serve the
policy pack to the Pulumi engine that started it."""

from __future__ import annotations

import sys


def main() -> None:
    """Serve the pack; without the `policy` extra, say how to install it (one line, exit 1)."""
    try:
        from .pack import serve
    except ImportError as error:
        if not (error.name or "").startswith("pulumi_policy"):
            raise
        sys.exit("pai-models policy pack: pulumi-policy is not installed here: pip install 'pulumi-pai-models[policy]'")
    serve()


if __name__ == "__main__":
    main()
