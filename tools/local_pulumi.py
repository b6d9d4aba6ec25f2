"""Run the program with the real Pulumi engine on this machine, with nothing but files.

- The engine comes from `tools/engine/build.sh` (built once from Go modules, cached), unless a new-enough
  `pulumi` is on PATH already.
- State goes to a file backend under the project (`.pulumi-state/`), secrets are encrypted with a
  passphrase (PULUMI_CONFIG_PASSPHRASE; the demo uses a fixed one when unset).
- Each run works in a scratch copy of the project (`.demo/` for the demo) whose stack files it may change
  (encryption salt, `renderDirectory`), so the committed `stacks/` stay as they are.

`python tools/local_pulumi.py demo` is `make demo`: `pulumi up` of the `cluster` and `user1` stacks in render
mode, then a report of the manifests written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENGINE_BUILD = ROOT / "tools" / "engine" / "build.sh"
PROJECT_ENTRIES = ("Pulumi.yaml", "__main__.py", "components", "requirements.txt", ".venv")
DEMO_PASSPHRASE = "ocp-virt-networking-demo"
NAMESPACED_KINDS = ("NetworkAttachmentDefinition", "UserDefinedNetwork", "VirtualMachine", "Secret")


def engine_bin_dir() -> Path:
    """Builds or finds the engine; the build script prints its bin directory last on stdout."""
    result = subprocess.run(["bash", str(ENGINE_BUILD)], check=True, stdout=subprocess.PIPE, text=True)
    return Path(result.stdout.strip().splitlines()[-1])


def engine_env(bin_dir: Path, backend_dir: Path, passphrase: str | None = None) -> dict[str, str]:
    """Environment for the CLI: our binaries first, a file backend, no network."""
    backend_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(bin_dir), str(ROOT / ".venv" / "bin"), env.get("PATH", "")])
    env["PULUMI_BACKEND_URL"] = backend_dir.as_uri()
    env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
    env["PULUMI_DIY_BACKEND_NO_LEGACY_WARNING"] = "true"
    env.setdefault("PULUMI_CONFIG_PASSPHRASE", passphrase or DEMO_PASSPHRASE)
    return env


def scratch_project(dest: Path, stacks: Iterable[str]) -> Path:
    """A project directory whose code links to this one and whose stack files are copies."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in PROJECT_ENTRIES:
        link = dest / entry
        if not link.exists() and not link.is_symlink():
            link.symlink_to(ROOT / entry)
    (dest / "stacks").mkdir(exist_ok=True)
    for stack in stacks:
        target = dest / "stacks" / f"Pulumi.{stack}.yaml"
        if not target.exists():
            shutil.copy(ROOT / "stacks" / f"Pulumi.{stack}.yaml", target)
    return dest


def pulumi(args: list[str], cwd: Path, env: dict[str, str], capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pulumi", *args, "--non-interactive"],
        cwd=cwd,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )


def rendered_objects(directory: Path) -> list[dict]:
    """Every object pulumi-kubernetes wrote in render mode (one YAML file per object)."""
    objects = []
    for path in sorted(directory.rglob("*.yaml")):
        objects += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return objects


def objects_without_namespace(objects: Iterable[dict]) -> list[str]:
    return [
        f"{o['kind']}/{o['metadata']['name']}"
        for o in objects
        if o.get("kind") in NAMESPACED_KINDS and not o.get("metadata", {}).get("namespace")
    ]


def demo() -> int:
    stacks = ("cluster", "user1")
    bin_dir = engine_bin_dir()
    env = engine_env(bin_dir, ROOT / ".pulumi-state")
    project = scratch_project(ROOT / ".demo", stacks)
    rendered_root = ROOT / "rendered"
    for stack in stacks:
        pulumi(["stack", "select", "--create", stack], project, env)
        pulumi(["config", "set", "renderDirectory", str(rendered_root / stack)], project, env)
        pulumi(["up", "--yes", "--skip-preview"], project, env)

    print(f"\nManifests written by `pulumi up` (render mode) under {rendered_root}:")
    missing = []
    for stack in stacks:
        objects = rendered_objects(rendered_root / stack)
        missing += objects_without_namespace(objects)
        print(f"  {stack}: " + ", ".join(f"{o['kind']}/{o['metadata']['name']}" for o in objects))
    if missing:
        print(f"\nERROR: these namespaced objects were rendered without a namespace: {', '.join(missing)}")
        return 1
    print(
        "\nEvery namespaced object kept its namespace.\n"
        f"State: {ROOT / '.pulumi-state'} (passphrase from PULUMI_CONFIG_PASSPHRASE, default {DEMO_PASSPHRASE!r}).\n"
        "To run the same commands against a real cluster, from the project directory:\n"
        "  pulumi login                      # or --local, or your team's backend\n"
        "  pulumi stack select cluster       # kubeconfig: KUBECONFIG or `pulumi config set kubernetes:context ...`\n"
        "  pulumi up\n"
        "  pulumi stack select user1 && pulumi preview --diff && pulumi up\n"
        f"(To clean up the demo: `make demo-clean`.)"
    )
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["demo"]:
        sys.exit("usage: local_pulumi.py demo")
    sys.exit(demo())
