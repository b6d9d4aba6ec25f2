"""TEST DOUBLE for the controllers the local control plane does not run (NMState, OVN-Kubernetes, KubeVirt).

It only sets the status conditions those controllers would report once their work is done: NNCP
`Available`, UDN `NetworkCreated`, VM `Ready`. It builds no bridge, network or VM. Used by tests only.
Each object is marked after `delay` seconds, so a test can tell whether something waited for it.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

# (resource, condition type, reason it reports)
WATCHED = (
    ("nodenetworkconfigurationpolicies.nmstate.io", "Available", "SuccessfullyConfigured"),
    ("userdefinednetworks.k8s.ovn.org", "NetworkCreated", "NetworkAttachmentDefinitionCreated"),
    ("virtualmachines.kubevirt.io", "Ready", "TestDoubleReady"),
)


@dataclass
class ControllerDouble:
    """Runs in a thread beside the tests; `kubectl` is the control plane's kubectl(*args) function."""

    kubectl: object
    delay: float = 2.0
    interval: float = 0.5
    first_seen: dict[tuple[str, str, str], float] = field(default_factory=dict)
    ready_at: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="controller-double", daemon=True)
        self.errors: list[str] = []

    def __enter__(self) -> ControllerDouble:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            for resource, condition, reason in WATCHED:
                try:
                    self._reconcile(resource, condition, reason)
                except Exception as error:  # keep serving; tests read self.errors
                    self.errors.append(f"{resource}: {error}")
            self._stop.wait(self.interval)

    def _reconcile(self, resource: str, condition: str, reason: str) -> None:
        listed = self.kubectl("get", resource, "--all-namespaces", "-o", "json", check=False)
        if listed.returncode != 0:
            return
        now = time.monotonic()
        for item in json.loads(listed.stdout)["items"]:
            meta = item["metadata"]
            key = (resource, meta.get("namespace", ""), meta["name"])
            self.first_seen.setdefault(key, now)
            conditions = (item.get("status") or {}).get("conditions") or []
            if any(c.get("type") == condition and c.get("status") == "True" for c in conditions):
                continue
            if now - self.first_seen[key] < self.delay:
                continue
            status = {
                "conditions": [
                    {
                        "type": condition,
                        "status": "True",
                        "reason": reason,
                        "message": "set by the test double",
                        "lastTransitionTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                ]
            }
            namespace = ["-n", meta["namespace"]] if meta.get("namespace") else []
            patched = self.kubectl(
                "patch",
                resource,
                meta["name"],
                *namespace,
                "--subresource=status",
                "--type=merge",
                "-p",
                json.dumps({"status": status}),
                check=False,
            )
            if patched.returncode == 0:
                self.ready_at[key] = time.monotonic()
            else:
                self.errors.append(f"patch {key}: {patched.stderr.strip()}")
