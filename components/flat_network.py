"""The attendee's project: its namespace, the flat NetworkAttachmentDefinition on the node bridge, and the
two VMs that plug a second NIC into it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from .common import child_options, custom_resource, metadata, namespace, namespace_manifest, ownership_labels
from .config import AttendeeSettings
from .credentials import register_cloud_init_secret
from .vm import bridge_nic, pod_network_nic, vm_manifest

NAD_API_VERSION = "k8s.cni.cncf.io/v1"
RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"
ATTACHED_VM_NAMES = ("fedora01", "fedora02")


def nad_config(*, name: str, bridge: str, vlan: int | None, cni_type: str) -> str:
    """The CNI config the OpenShift console writes for a Linux bridge network (compact, stable key order)."""
    config: dict[str, Any] = {
        "cniVersion": "0.3.1",
        "name": name,
        "type": cni_type,
        "bridge": bridge,
        "ipam": {},
        "macspoofchk": True,
        "preserveDefaultVlan": False,
    }
    if vlan is not None:
        config["vlan"] = vlan
    return json.dumps(config, separators=(",", ":"))


def nad_manifest(
    *,
    name: str,
    namespace: pulumi.Input[str],
    bridge: str,
    vlan: int | None,
    cni_type: str,
    labels: Mapping[str, str],
) -> dict[str, Any]:
    """A NetworkAttachmentDefinition for `bridge`; the resourceName annotation keeps VMs on nodes that have it."""
    return {
        "apiVersion": NAD_API_VERSION,
        "kind": "NetworkAttachmentDefinition",
        "metadata": metadata(
            name,
            labels,
            namespace=namespace,
            annotations={RESOURCE_NAME_ANNOTATION: f"bridge.network.kubevirt.io/{bridge}"},
        ),
        "spec": {"config": nad_config(name=name, bridge=bridge, vlan=vlan, cni_type=cni_type)},
    }


@dataclass(frozen=True, kw_only=True)
class FlatNetworkProjectArgs:
    """The attendee's settings, the stack name for ownership labels, and the guest's cloud-init user data."""

    settings: AttendeeSettings
    stack: str
    user_data: pulumi.Input[str]


class FlatNetworkProject(pulumi.ComponentResource):
    """Namespace vmexamples-<attendee>, NAD `flatnetwork` (stage solved) and VMs fedora01/fedora02.

    In stage `prepared` the VMs have only their pod network, as the lab expects before the module starts.
    """

    namespace: str
    network: str | None
    vm_names: list[str]

    def __init__(self, name: str, args: FlatNetworkProjectArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ocp-virt-networking:flatnet:FlatNetworkProject", name, None, opts)
        settings = args.settings
        labels = ownership_labels(args.stack, settings.attendee)
        ns_name: pulumi.Input[str] = settings.project_namespace
        after_namespace: list[pulumi.Resource] = []
        if settings.create_project_namespace:
            ns = namespace(
                f"{name}-namespace", namespace_manifest(settings.project_namespace, labels), child_options(self)
            )
            # Children take the namespace from its output, so replacing it replaces them too.
            ns_name = ns.metadata.name
            after_namespace = [ns]

        secret = register_cloud_init_secret(
            f"{name}-cloud-init", namespace=ns_name, user_data=args.user_data, labels=labels, parent=self
        )
        nics = [pod_network_nic()]
        vm_dependencies = [*after_namespace, secret]
        self.network = None
        if settings.solved:
            net = settings.flat_network
            nad = custom_resource(
                f"{name}-nad",
                nad_manifest(
                    name=net.name,
                    namespace=ns_name,
                    bridge=net.bridge,
                    vlan=net.vlan,
                    cni_type=net.cni_type,
                    labels=labels,
                ),
                child_options(self, depends_on=after_namespace),
            )
            nics.append(bridge_nic(net.name))
            vm_dependencies.append(nad)
            self.network = net.name

        for vm_name in ATTACHED_VM_NAMES:
            custom_resource(
                f"{name}-{vm_name}",
                vm_manifest(
                    name=vm_name,
                    namespace=ns_name,
                    vm=settings.vm,
                    nics=nics,
                    cloud_init_secret=secret.metadata.name,
                    labels=labels,
                ),
                child_options(self, depends_on=vm_dependencies),
            )
        self.namespace = settings.project_namespace
        self.vm_names = list(ATTACHED_VM_NAMES)
        self.register_outputs({"namespace": self.namespace, "network": self.network, "vm_names": self.vm_names})
