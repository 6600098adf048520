"""docs/reference.md is what `python -m pulumi_pai_models.reference` derives from the declarations: an argument, output or
setting added without regenerating it fails here, and the reference names each of them in every door."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from pulumi_pai_models import contract, reference
from pulumi_pai_models.contract import ARGUMENTS, OUTPUTS, SETTINGS, Argument, Setting

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference.md"


def test_the_reference_is_what_the_declarations_derive():
    assert REFERENCE.read_text(encoding="utf-8") == reference.render(), "regenerate: python -m pulumi_pai_models.reference > docs/reference.md"


def test_the_command_prints_it():
    printed = subprocess.run([sys.executable, "-m", "pulumi_pai_models.reference"], capture_output=True, text=True, check=True)
    assert printed.stdout == reference.render()


def test_every_name_of_every_door_is_in_it():
    text = REFERENCE.read_text(encoding="utf-8")
    for argument in ARGUMENTS:
        assert f"`{argument.name}`" in text and f"`{argument.schema_name}`" in text, argument.name
        assert argument.flag is None or f"`{argument.flag}`" in text
    for output in OUTPUTS:
        assert output.resource_name is None or f"`{output.resource_name}`" in text
    for declared in SETTINGS:
        assert all(f"`{name}`" in text for name in (declared.name, *declared.config_keys, *declared.env)), declared.name
        assert declared.flag is None or f"`{declared.flag}`" in text


def test_a_new_argument_or_setting_makes_it_stale(monkeypatch):
    monkeypatch.setattr(contract, "SETTINGS", (*SETTINGS, Setting("page_limit", "integer", "A new one.", default=1, limits=(1, 9))))
    monkeypatch.setattr(reference, "SETTINGS", contract.SETTINGS)
    assert REFERENCE.read_text(encoding="utf-8") != reference.render()
    monkeypatch.setattr(reference, "SETTINGS", SETTINGS)
    extra = replace(ARGUMENTS[0], name="workspace_name")
    assert isinstance(extra, Argument)
    monkeypatch.setattr(reference, "ARGUMENTS", (*ARGUMENTS, extra))
    assert REFERENCE.read_text(encoding="utf-8") != reference.render()
