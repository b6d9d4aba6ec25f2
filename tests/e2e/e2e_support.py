"""What the end-to-end tests share: the engine, a stack in a scratch project, plan inspection."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from local_pulumi import rendered_objects


@dataclass
class Deployment:
    """One stack of the program in its own scratch project, driven with the real CLI."""

    stack: str
    project: Path
    env: dict[str, str]
    render_dir: Path | None = None

    def init(self) -> None:
        subprocess.run(
            ["pulumi", "stack", "init", self.stack, "--non-interactive"], cwd=self.project, env=self.env, check=True
        )

    def pulumi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive", "--stack", self.stack],
            cwd=self.project,
            env=self.env,
            text=True,
            capture_output=True,
        )
        if check and result.returncode != 0:
            pytest.fail(f"pulumi {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def preview_steps(self) -> dict[str, set[str]]:
        """urn -> the operations `pulumi preview --diff --json` plans for it (without 'same')."""
        output = json.loads(self.pulumi("preview", "--diff", "--json").stdout)
        steps: dict[str, set[str]] = {}
        for step in output.get("steps", []):
            if step["op"] != "same":
                steps.setdefault(step["urn"], set()).add(step["op"])
        return steps

    def planned_changes(self, key: str, value: str) -> dict[str, set[str]]:
        """type token -> operations planned with one config path set (it is unset again afterwards)."""
        self.pulumi("config", "set", "--path", key, value)
        try:
            return {type_of(urn): ops for urn, ops in self.preview_steps().items()}
        finally:
            self.pulumi("config", "rm", "--path", key)

    def objects(self) -> list[dict]:
        """The manifests render mode wrote for this stack."""
        return rendered_objects(self.render_dir)


def type_of(urn: str) -> str:
    """The resource type token at the end of a URN's type chain (parent$child)."""
    return urn.split("::")[-2].split("$")[-1]
