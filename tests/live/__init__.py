"""The live mode: read-only lookups against real PAI, recordings of its answers, and their parity with the emulator.

- `target`: the switches (PAI_MODELS_LIVE, _WORKSPACE, _FAMILY, _RECORD), the reason the suite is skipped, and
  the raw API calls the live suite makes (Alibaba's SDK, the usual settings, real signatures).
- `recording`: redaction of what is account-specific, the files under tests/recordings/, shapes and their comparison,
  and the emulator catalog a recording implies.

Tests: tests/test_live.py (skipped unless PAI_MODELS_LIVE=1) and tests/test_parity.py (always, offline). docs/live.md.
"""
