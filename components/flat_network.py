"""The attendee's project: its namespace, the flat NetworkAttachmentDefinition on the node bridge, and the
two VMs that plug a second NIC into it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi

from .common import (
    PATCH_FORCE,
    AttendeeComponentArgs,
    child_options,
    custom_resource,
    metadata,
    namespace,
    namespace_manifest,
    ownership_labels,
)
from .config import FlatNetworkSettings
from .credentials import register_cloud_init_secret
from .vm import bridge_nic, pod_network_nic, vm_manifest

NAD_API_VERSION = "k8s.cni.cncf.io/v1"
RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"
ATTACHED_VM_NAMES = ("fedora01", "fedora02")


def nad_config(network: FlatNetworkSettings) -> str:
    """The CNI config the OpenShift console writes for a Linux bridge network (compact, stable key order)."""
    config: dict[str, Any] = {
        "cniVersion": "0.3.1",
        "name": network.name,
        "type": network.cni_type,
        "bridge": network.bridge,
        "ipam": {},
        "macspoofchk": True,
        "preserveDefaultVlan": False,
    }
    if network.vlan is not None:
        config["vlan"] = network.vlan
    return json.dumps(config, separators=(",", ":"))


def nad_manifest(
    network: FlatNetworkSettings, *, namespace: pulumi.Input[str], labels: Mapping[str, str]
) -> dict[str, Any]:
    """A NetworkAttachmentDefinition for the bridge; the resourceName annotation keeps VMs on nodes that have it.

    An attendee may have made it already with the console form: forcing field ownership makes catching up a
    `prepared` stack replace their config with this one instead of failing on a field-manager conflict.
    """
    return {
        "apiVersion": NAD_API_VERSION,
        "kind": "NetworkAttachmentDefinition",
        "metadata": metadata(
            network.name,
            labels,
            namespace=namespace,
            annotations={
                RESOURCE_NAME_ANNOTATION: f"bridge.network.kubevirt.io/{network.bridge}",
                PATCH_FORCE: "true",
            },
        ),
        "spec": {"config": nad_config(network)},
    }


class FlatNetworkProject(pulumi.ComponentResource):
    """Namespace vmexamples-<attendee>, NAD `flatnetwork` (stage solved) and VMs fedora01/fedora02.

    In stage `prepared` the VMs have only their pod network, as the lab expects before the module starts.
    """

    namespace: str
    network: str | None
    vm_names: list[str]

    def __init__(self, name: str, args: AttendeeComponentArgs, opts: pulumi.ResourceOptions | None = None):
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
            network = settings.flat_network
            nad = custom_resource(
                f"{name}-nad",
                nad_manifest(network, namespace=ns_name, labels=labels),
                child_options(self, depends_on=after_namespace),
            )
            nics.append(bridge_nic(network.name))
            vm_dependencies.append(nad)
            self.network = network.name

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
