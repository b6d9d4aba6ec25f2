"""Smoke check of the local control plane: start, install CRDs, check that
CEL rules of the UDN/CUDN CRDs are enforced, that namespaces finish deleting
and that the garbage collector runs, then print timings and memory and stop.

Usage: python tools/controlplane/smoke.py [STATE_DIR]
Exit code 0 when every check passed.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import controlplane as cpl

NS = "smoke-udn"


def udn(name: str, layer2: dict, topology: str = "Layer2") -> dict:
    key = "layer2" if topology == "Layer2" else "layer3"
    return {
        "apiVersion": "k8s.ovn.org/v1",
        "kind": "UserDefinedNetwork",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"topology": topology, key: layer2},
    }


def cudn(name: str, network: dict) -> dict:
    return {
        "apiVersion": "k8s.ovn.org/v1",
        "kind": "ClusterUserDefinedNetwork",
        "metadata": {"name": name},
        "spec": {"namespaceSelector": {"matchLabels": {"x": "y"}}, "network": network},
    }


# (description, object, expected substring of the refusal, or None = accepted)
CASES: list[tuple[str, dict, str | None]] = [
    ("valid Layer2 primary", udn("l2", {"role": "Primary", "subnets": ["10.100.0.0/16"]}), None),
    ("isCIDR: invalid subnet", udn("bad-cidr", {"role": "Primary", "subnets": ["10.100.0.0/33"]}), "CIDR is invalid"),
    ("isCIDR: not a CIDR", udn("bad-cidr2", {"role": "Primary", "subnets": ["banana"]}), "CIDR is invalid"),
    (
        "cidr().ip().family(): two IPv4 subnets",
        udn("two-v4", {"role": "Primary", "subnets": ["10.1.0.0/16", "10.2.0.0/16"]}),
        "must be from different IP families",
    ),
    (
        "valid dual-stack with gateways (cidr().containsIP, ip().family)",
        udn(
            "dual",
            {
                "role": "Primary",
                "subnets": ["10.3.0.0/16", "fd00:3::/64"],
                "defaultGatewayIPs": ["10.3.0.1", "fd00:3::1"],
            },
        ),
        None,
    ),
    (
        "cidr().containsIP: gateway outside subnets",
        udn("gw-out", {"role": "Primary", "subnets": ["10.4.0.0/16"], "defaultGatewayIPs": ["10.5.0.1"]}),
        "defaultGatewayIPs must belong to one of the subnets",
    ),
    (
        "isIP: invalid gateway IP",
        udn("gw-bad", {"role": "Primary", "subnets": ["10.4.0.0/16"], "defaultGatewayIPs": ["10.4.0.300"]}),
        "IP is invalid",
    ),
    (
        "cidr().containsCIDR: reservedSubnets outside subnets",
        udn("res-out", {"role": "Primary", "subnets": ["10.6.0.0/16"], "reservedSubnets": ["10.7.0.0/24"]}),
        "reservedSubnets must be subnetworks",
    ),
    (
        "cidr().masked(): reservedSubnets with host bits",
        udn("res-host", {"role": "Primary", "subnets": ["10.6.0.0/16"], "reservedSubnets": ["10.6.0.5/24"]}),
        "must be a masked network address",
    ),
    (
        "exists_one + family: MTU < 1280 with IPv6",
        udn("mtu", {"role": "Primary", "subnets": ["fd00:8::/64"], "mtu": 1000}),
        "MTU should be greater than or equal to 1280",
    ),
    (
        "topology rule: layer3 given with Layer2",
        {
            **udn("topo", {"role": "Primary", "subnets": ["10.9.0.0/16"]}),
            "spec": {"topology": "Layer2", "layer3": {"role": "Primary", "subnets": [{"cidr": "10.9.0.0/16"}]}},
        },
        "spec.layer2 is required when topology is Layer2",
    ),
    (
        "CUDN valid Layer2 secondary",
        cudn("cudn-ok", {"topology": "Layer2", "layer2": {"role": "Secondary", "subnets": ["10.20.0.0/16"]}}),
        None,
    ),
    (
        "CUDN isCIDR invalid",
        cudn("cudn-bad", {"topology": "Layer2", "layer2": {"role": "Secondary", "subnets": ["10.20.0.0/99"]}}),
        "CIDR is invalid",
    ),
]

OTHER_OBJECTS = [
    {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": "nad1", "namespace": NS},
        "spec": {"config": json.dumps({"cniVersion": "0.3.1", "name": "nad1", "type": "bridge"})},
    },
    {
        "apiVersion": "nmstate.io/v1",
        "kind": "NodeNetworkConfigurationPolicy",
        "metadata": {"name": "br1"},
        "spec": {"desiredState": {"interfaces": [{"name": "br1", "type": "linux-bridge", "state": "up"}]}},
    },
    {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": "vm1", "namespace": NS},
        "spec": {"runStrategy": "Halted", "template": {"spec": {"domain": {"devices": {}}}}},
    },
    {
        "apiVersion": "cdi.kubevirt.io/v1beta1",
        "kind": "DataVolume",
        "metadata": {"name": "dv1", "namespace": NS},
        "spec": {"source": {"blank": {}}, "storage": {"resources": {"requests": {"storage": "1Gi"}}}},
    },
]


def main() -> int:
    state = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="e2e-cp-"))
    failures = []
    cp = cpl.start(state)
    try:
        t = time.monotonic()
        names = cpl.install_crds(cp)
        crd_s = time.monotonic() - t
        print(f"server {cp.server} version {cp.version}")
        print("startup timings (s from start): " + json.dumps({k: round(v, 2) for k, v in cp.timings.items()}))
        print(f"CRDs established in {crd_s:.2f}s: {', '.join(names)}")
        cp.kubectl("create", "namespace", NS)

        def apply(obj: dict, *extra: str):
            return cp.kubectl("create", "-f", "-", *extra, input=json.dumps(obj), check=False)

        for desc, obj, want in CASES:
            r = apply(obj)
            out = (r.stdout + r.stderr).strip()
            ok = (r.returncode == 0) if want is None else (r.returncode != 0 and want in out)
            print(f"[{'ok' if ok else 'FAIL'}] {desc}: rc={r.returncode}\n    {out}")
            if not ok:
                failures.append(desc)

        # immutability: self == oldSelf on .spec
        r = cp.kubectl(
            "patch",
            "userdefinednetwork",
            "l2",
            "-n",
            NS,
            "--type=merge",
            "-p",
            '{"spec":{"layer2":{"subnets":["10.101.0.0/16"]}}}',
            check=False,
        )
        out = (r.stdout + r.stderr).strip()
        ok = r.returncode != 0 and "Spec is immutable" in out
        print(f"[{'ok' if ok else 'FAIL'}] self == oldSelf: patch spec: rc={r.returncode}\n    {out}")
        if not ok:
            failures.append("immutability")
        r = cp.kubectl("label", "userdefinednetwork", "l2", "-n", NS, "a=b", check=False)
        ok = r.returncode == 0
        print(
            f"[{'ok' if ok else 'FAIL'}] metadata change still allowed: rc={r.returncode} "
            f"{(r.stdout + r.stderr).strip()}"
        )
        if not ok:
            failures.append("metadata change")

        for obj in OTHER_OBJECTS:
            r = apply(obj)
            ok = r.returncode == 0
            print(f"[{'ok' if ok else 'FAIL'}] create {obj['kind']}: {(r.stdout + r.stderr).strip()}")
            if not ok:
                failures.append(f"create {obj['kind']}")

        # garbage collector: dependent goes away after its owner
        owner = json.loads(cp.kubectl("create", "configmap", "owner", "-n", NS, "-o", "json").stdout)
        dep = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "dependent",
                "namespace": NS,
                "ownerReferences": [
                    {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
                ],
            },
        }
        apply(dep)
        cp.kubectl("delete", "configmap", "owner", "-n", NS)
        t = time.monotonic()
        r = cp.kubectl("wait", "--for=delete", "configmap/dependent", "-n", NS, "--timeout=60s", check=False)
        ok = r.returncode == 0
        print(f"[{'ok' if ok else 'FAIL'}] garbage collector removed dependent in {time.monotonic() - t:.2f}s")
        if not ok:
            failures.append("gc")

        # namespace deletion finishes (namespace controller empties it, CRs included)
        t = time.monotonic()
        r = cp.kubectl("delete", "namespace", NS, "--wait=true", "--timeout=120s", check=False)
        ok = r.returncode == 0
        print(
            f"[{'ok' if ok else 'FAIL'}] namespace with custom resources deleted in "
            f"{time.monotonic() - t:.2f}s: {(r.stdout + r.stderr).strip()}"
        )
        if not ok:
            failures.append("namespace deletion")

        time.sleep(5)
        rss = cp.rss()
        print(
            "RSS MiB: "
            + json.dumps({k: round(v / 2**20, 1) for k, v in rss.items()})
            + f" total {sum(rss.values()) / 2**20:.1f}"
        )
    finally:
        took = cpl.stop(cp)
        print(f"stopped in {took:.2f}s; state dir removed: {not state.exists()}")
    print(f"{len(CASES) + 8 - len(failures)} passed, {len(failures)} failed")
    if failures:
        print("failures: " + ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
