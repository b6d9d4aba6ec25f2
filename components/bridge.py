"""The cluster-wide Linux bridge: an NMState NodeNetworkConfigurationPolicy, and optionally a
NetworkAttachmentDefinition in `default` that publishes the bridge to every project."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from .common import WAIT_FOR, child_options, custom_resource, metadata, ownership_labels
from .config import BridgeSettings, GlobalNetworkSettings
from .flat_network import nad_manifest

NNCP_API_VERSION = "nmstate.io/v1"


def nncp_manifest(bridge: BridgeSettings, labels: Mapping[str, str]) -> dict[str, Any]:
    """A linux-bridge on `bridge.nic` with no host IP and STP off, rolled out `maxUnavailable` nodes at a time."""
    interface: dict[str, Any] = {"name": bridge.name, "type": "linux-bridge", "state": bridge.state}
    if bridge.state == "up":
        interface |= {
            # The bridge only carries VM traffic: the node itself gets no address on it.
            "ipv4": {"enabled": False, "dhcp": False},
            "ipv6": {"enabled": False},
            "bridge": {"options": {"stp": {"enabled": False}}, "port": [{"name": bridge.nic}]},
        }
    return {
        "apiVersion": NNCP_API_VERSION,
        "kind": "NodeNetworkConfigurationPolicy",
        "metadata": metadata(bridge.name, labels, annotations={WAIT_FOR: "condition=Available"}),
        "spec": {
            "nodeSelector": dict(bridge.node_selector),
            "maxUnavailable": bridge.max_unavailable,
            "desiredState": {"interfaces": [interface]},
        },
    }


@dataclass(frozen=True, kw_only=True)
class BridgePolicyArgs:
    """What the cluster stack builds: the bridge policy and, if enabled, the global network."""

    bridge: BridgeSettings
    global_network: GlobalNetworkSettings | None
    stack: str


class BridgePolicy(pulumi.ComponentResource):
    """The NNCP that builds the bridge on every selected node, awaited until NMState reports Available."""

    policy_name: str
    bridge_name: str
    global_network: str | None

    def __init__(self, name: str, args: BridgePolicyArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ocp-virt-networking:bridge:BridgePolicy", name, None, opts)
        labels = ownership_labels(args.stack)
        policy = custom_resource(f"{name}-nncp", nncp_manifest(args.bridge, labels), child_options(self))
        self.policy_name = args.bridge.name
        self.bridge_name = args.bridge.name
        self.global_network = None
        if args.global_network is not None:
            net = args.global_network
            custom_resource(
                f"{name}-global-nad",
                nad_manifest(net.network, namespace=net.namespace, labels=labels),
                child_options(self, depends_on=[policy]),
            )
            self.global_network = f"{net.namespace}/{net.network.name}"
        self.register_outputs(
            {"policy_name": self.policy_name, "bridge_name": self.bridge_name, "global_network": self.global_network}
        )
