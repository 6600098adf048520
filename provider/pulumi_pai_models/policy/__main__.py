"""`python -m pulumi_pai_models.policy <engine address>` (also the console script `pai-models-policy-pack`): serve the
policy pack to the Pulumi engine that started it."""

from __future__ import annotations

import sys


def main() -> None:
    """Serve the pack; without the `policy` extra, say how to install it (one line, exit 1)."""
    from .config import INSTALL

    try:
        from .pack import serve
    except ImportError as error:
        if not (error.name or "").startswith("pulumi_policy"):
            raise
        sys.exit(f"pai-models policy pack: pulumi-policy is not installed here: {INSTALL}")
    serve()


if __name__ == "__main__":
    main()
