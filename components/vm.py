"""Pure builders for KubeVirt VirtualMachines, their NICs and their cloud-init Secret."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import yaml

from .common import PATCH_FORCE, WAIT_FOR, metadata
from .config import GuestSettings, VmSettings

VM_API_VERSION = "kubevirt.io/v1"
DATA_VOLUME_API_VERSION = "cdi.kubevirt.io/v1beta1"
VM_NAME_LABEL = "kubevirt.io/vm"
USER_DATA_KEY = "userdata"  # the key KubeVirt reads from a cloudInitNoCloud secretRef


@dataclass(frozen=True, kw_only=True)
class Nic:
    """One VM NIC: the interface in the domain and the network it is plugged into."""

    interface: Mapping[str, Any]
    network: Mapping[str, Any]


def pod_network_nic(name: str = "default") -> Nic:
    """The cluster's default pod network behind NAT (masquerade)."""
    return Nic(interface={"name": name, "masquerade": {}}, network={"name": name, "pod": {}})


def bridge_nic(network_name: str) -> Nic:
    """A bridge-bound NIC on a Multus NetworkAttachmentDefinition (no NAT: the VM sits on that L2 network)."""
    return Nic(
        interface={"name": network_name, "bridge": {}},
        network={"name": network_name, "multus": {"networkName": network_name}},
    )


def primary_udn_nic(name: str) -> Nic:
    """The pod network of a namespace whose primary network is a UDN, bound with the l2bridge plugin."""
    return Nic(interface={"name": name, "binding": {"name": "l2bridge"}}, network={"name": name, "pod": {}})


def vm_manifest(
    *,
    name: str,
    namespace: pulumi.Input[str],
    vm: VmSettings,
    nics: Sequence[Nic],
    cloud_init_secret: pulumi.Input[str],
    labels: Mapping[str, str],
    extra_annotations: Mapping[str, pulumi.Input[str]] | None = None,
) -> dict[str, Any]:
    """A VirtualMachine shaped like the lab's: a DataVolume from a DataSource, virtio disks, cloud-init."""
    annotations = {PATCH_FORCE: "true", **(extra_annotations or {})}
    if vm.wait_ready:
        annotations[WAIT_FOR] = "condition=Ready"
    vm_labels = {**labels, VM_NAME_LABEL: name}

    storage: dict[str, Any] = {"resources": {"requests": {"storage": vm.disk_size}}}
    if vm.storage_class is not None:
        storage["storageClassName"] = vm.storage_class
    domain: dict[str, Any] = {
        "devices": {
            "disks": [
                {"name": "rootdisk", "disk": {"bus": "virtio"}},
                {"name": "cloudinitdisk", "disk": {"bus": "virtio"}},
            ],
            "interfaces": [dict(nic.interface) for nic in nics],
            "rng": {},
        },
        "resources": {"requests": {"memory": vm.memory}},
    }
    if vm.cores is not None:
        domain["cpu"] = {"cores": vm.cores}

    return {
        "apiVersion": VM_API_VERSION,
        "kind": "VirtualMachine",
        "metadata": metadata(name, vm_labels, namespace=namespace, annotations=annotations),
        "spec": {
            "runStrategy": vm.run_strategy,
            "dataVolumeTemplates": [
                {
                    "apiVersion": DATA_VOLUME_API_VERSION,
                    "kind": "DataVolume",
                    "metadata": {"name": name},
                    "spec": {
                        "sourceRef": {
                            "kind": "DataSource",
                            "name": vm.data_source,
                            "namespace": vm.data_source_namespace,
                        },
                        "storage": storage,
                    },
                }
            ],
            "template": {
                "metadata": {"labels": {VM_NAME_LABEL: name}},
                "spec": {
                    "domain": domain,
                    "networks": [dict(nic.network) for nic in nics],
                    "terminationGracePeriodSeconds": 0,
                    "volumes": [
                        {"name": "rootdisk", "dataVolume": {"name": name}},
                        {"name": "cloudinitdisk", "cloudInitNoCloud": {"secretRef": {"name": cloud_init_secret}}},
                    ],
                },
            },
        },
    }


def cloud_init_user_data(guest: GuestSettings, password: str) -> str:
    """cloud-config for the guest login; YAML-dumped so no value can break out of its field."""
    config: dict[str, Any] = {
        "user": guest.user,
        "password": password,
        "chpasswd": {"expire": False},
    }
    if guest.ssh_public_key:
        config["ssh_authorized_keys"] = [guest.ssh_public_key]
    return "#cloud-config\n" + yaml.safe_dump(config, default_flow_style=False, sort_keys=False)


def cloud_init_secret_data(user_data: str) -> dict[str, str]:
    """Secret `data` (base64) rather than `stringData`, which the server rewrites and would show as drift."""
    return {USER_DATA_KEY: base64.b64encode(user_data.encode()).decode()}
