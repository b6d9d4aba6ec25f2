"""Paths and stack-file helpers the test modules share."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from components.config import PROJECT

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "__main__.py"
STACKS_DIR = ROOT / "stacks"
STACK_FILES = sorted(STACKS_DIR.glob("Pulumi.*.yaml"))
CRDS_DIR = Path(os.environ.get("OCP_VIRT_NET_CRDS", ROOT.parent / "shared" / "crds"))


def config_for(values: dict[str, Any]) -> dict[str, str]:
    """Pulumi hands config to a program as strings: objects as JSON text."""
    return {
        f"{PROJECT}:{key}": (json.dumps(value) if not isinstance(value, str) else value)
        for key, value in values.items()
    }


def stack_file_config(path: Path) -> tuple[str, dict[str, Any]]:
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    document = yaml.safe_load(path.read_text()) or {}
    values = {key.removeprefix(f"{PROJECT}:"): value for key, value in (document.get("config") or {}).items()}
    return stack, values
