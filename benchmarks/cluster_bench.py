"""Benchmark (not a test): the real engine against the local control plane.

1. One attendee: wall time of `pulumi up` against `kubectl apply --server-side` of the same manifests on the
   same API server, median of N runs each, and their ratio.
2. Ten attendees `pulumi up` in parallel: wall time and peak memory (sum of the resident memory of every
   process the ten runs start, sampled), besides the control plane's own memory.

The test double that plays NMState, OVN-Kubernetes and KubeVirt answers with no delay here, so `pulumi up`
pays only for its waits' polling. Run with `make bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tools"), str(ROOT / "tests"), str(ROOT / "tests" / "e2e")]

from controlplane import controlplane  # noqa: E402

from controller_double import ControllerDouble  # noqa: E402
from local_pulumi import engine_bin_dir, engine_env, rendered_objects, scratch_project  # noqa: E402


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")


def pulumi(project: Path, env: dict[str, str], stack: str, *args: str) -> None:
    run(["pulumi", *args, "--non-interactive", "--stack", stack], project, env)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def wait_namespaces_gone(plane, prefix: str) -> None:
    while any(n.startswith(f"namespace/{prefix}") for n in plane.kubectl("get", "ns", "-o", "name").stdout.split()):
        time.sleep(0.2)


def tree_rss(root_pids: list[int]) -> int:
    """Resident bytes of the given processes and all their descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, list(root_pids)
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def one_attendee(plane, project: Path, env: dict[str, str], rounds: int) -> tuple[list[float], list[float]]:
    stack = "bench"
    subprocess.run(["pulumi", "stack", "init", stack, "--non-interactive"], cwd=project, env=env, check=True)
    render_dir = project.parent / "rendered-bench"
    pulumi(project, env, stack, "config", "set", "renderDirectory", str(render_dir))
    pulumi(project, env, stack, "up", "--yes", "--skip-preview")
    manifests = rendered_objects(render_dir)
    pulumi(project, env, stack, "destroy", "--yes", "--skip-preview")
    pulumi(project, env, stack, "config", "rm", "renderDirectory")
    namespaces = [m for m in manifests if m["kind"] == "Namespace"]
    others = [m for m in manifests if m["kind"] != "Namespace"]

    def kubectl_apply() -> None:
        for batch in (namespaces, others):  # a namespace must exist before what goes in it
            plane.kubectl(
                "apply", "--server-side", "--field-manager=bench", "-f", "-", input=_as_list(batch), timeout=300
            )

    pulumi_times, kubectl_times = [], []
    for _ in range(rounds):
        pulumi_times.append(timed(lambda: pulumi(project, env, stack, "up", "--yes", "--skip-preview")))
        pulumi(project, env, stack, "destroy", "--yes", "--skip-preview")
        kubectl_times.append(timed(kubectl_apply))
        plane.kubectl("delete", "ns", "vmexamples-bench", "vmexamples-bench-udn", "--wait=true", timeout=300)
        wait_namespaces_gone(plane, "vmexamples-bench")
    pulumi(project, env, stack, "stack", "rm", "--yes", "--force")
    return pulumi_times, kubectl_times


def _as_list(objects: list[dict]) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": objects})


def ten_in_parallel(project: Path, env: dict[str, str]) -> tuple[float, int]:
    stacks = [f"par{n:02d}" for n in range(1, 11)]
    for stack in stacks:
        (project / "stacks" / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
        subprocess.run(["pulumi", "stack", "init", stack, "--non-interactive"], cwd=project, env=env, check=True)
    peak = 0
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            ["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--stack", s],
            cwd=project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for s in stacks
    ]
    pids = [p.pid for p in processes]
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(pids))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    codes = [p.wait() for p in processes]
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if any(codes):
        sys.exit(f"parallel up failed: exit codes {codes}")
    for stack in stacks:
        pulumi(project, env, stack, "destroy", "--yes", "--skip-preview")
    return wall, peak


def _seconds(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ocp-virt-net-bench-") as scratch:
        scratch_dir = Path(scratch)
        engine = engine_env(engine_bin_dir(), scratch_dir / "state", passphrase="bench")
        with controlplane.running(scratch_dir / "controlplane") as plane:
            controlplane.install_crds(plane)
            env = {**engine, "KUBECONFIG": str(plane.kubeconfig)}
            project = scratch_project(scratch_dir / "project", [])
            (project / "stacks" / "Pulumi.bench.yaml").write_text("config: {}\n")
            with ControllerDouble(plane.kubectl, delay=0, interval=0.2):
                pulumi_times, kubectl_times = one_attendee(plane, project, env, args.rounds)
                idle_plane = sum(plane.rss().values())
                wall, peak = ten_in_parallel(project, env)
                busy_plane = sum(plane.rss().values())
    pulumi_median, kubectl_median = statistics.median(pulumi_times), statistics.median(kubectl_times)
    print(f"one attendee, median of {args.rounds}:")
    print(f"  pulumi up                      {pulumi_median:6.2f} s   (runs: {_seconds(pulumi_times)})")
    print(f"  kubectl apply --server-side    {kubectl_median:6.2f} s   (runs: {_seconds(kubectl_times)})")
    print(f"  ratio pulumi / kubectl         {pulumi_median / kubectl_median:6.1f}x")
    print("ten attendees, pulumi up in parallel:")
    print(f"  wall time                      {wall:6.2f} s")
    print(f"  peak memory of the ten runs    {peak / 2**20:6.0f} MiB")
    print(f"  control plane memory           {idle_plane / 2**20:6.0f} MiB idle, {busy_plane / 2**20:.0f} MiB after")


if __name__ == "__main__":
    main()
