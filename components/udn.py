"""The attendee's UDN namespace: labelled at creation, a primary Layer2 UserDefinedNetwork, and a VM on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from .common import (
    WAIT_FOR,
    AttendeeComponentArgs,
    child_options,
    custom_resource,
    metadata,
    namespace,
    namespace_manifest,
    ownership_labels,
)
from .config import PROJECT
from .credentials import register_cloud_init_secret
from .revision import REVISION_ANNOTATION, SpecRevision
from .vm import primary_udn_nic, vm_manifest

UDN_API_VERSION = "k8s.ovn.org/v1"
PRIMARY_UDN_LABEL = "k8s.ovn.org/primary-user-defined-network"
UDN_VM_NAME = "fedora-udn"
# Carries the UDN's name and subnet into the VM from the UDN's own output: a UDN replacement then replaces
# the VM first, which OVN-Kubernetes needs (it keeps a UDN until no pod uses it).
UDN_ANNOTATION = f"{PROJECT}/primary-udn"


def label_path(key: str) -> str:
    return f'metadata.labels["{key}"]'


def annotation_path(key: str) -> str:
    return f'metadata.annotations["{key}"]'


def udn_namespace_manifest(name: str, labels: Mapping[str, str]) -> dict[str, Any]:
    """OVN-Kubernetes accepts a primary UDN only in a namespace created with this label, never added later."""
    return namespace_manifest(name, {**labels, PRIMARY_UDN_LABEL: ""})


def udn_spec(subnet: str) -> dict[str, Any]:
    """Layer2, role Primary, persistent IPAM (addresses survive live migration)."""
    return {
        "topology": "Layer2",
        "layer2": {"role": "Primary", "subnets": [subnet], "ipam": {"lifecycle": "Persistent"}},
    }


def udn_manifest(
    *,
    name: str,
    namespace: pulumi.Input[str],
    subnet: str,
    labels: Mapping[str, str],
    revision: pulumi.Input[str] | None = None,
) -> dict[str, Any]:
    """The UDN, awaited on NetworkCreated; `revision` is the SpecRevision token of its spec."""
    annotations: dict[str, pulumi.Input[str]] = {WAIT_FOR: "condition=NetworkCreated"}
    if revision is not None:
        annotations[REVISION_ANNOTATION] = revision
    return {
        "apiVersion": UDN_API_VERSION,
        "kind": "UserDefinedNetwork",
        "metadata": metadata(name, labels, namespace=namespace, annotations=annotations),
        "spec": udn_spec(subnet),
    }


class UdnNamespace(pulumi.ComponentResource):
    """Namespace vmexamples-<attendee>-udn; in stage solved also UDN `primary-udn` and VM `fedora-udn`."""

    namespace: str
    network: str | None
    subnet: str | None
    vm_names: list[str]

    def __init__(self, name: str, args: AttendeeComponentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ocp-virt-networking:udn:UdnNamespace", name, None, opts)
        settings = args.settings
        labels = ownership_labels(args.stack, settings.attendee)
        ns = namespace(
            f"{name}-namespace",
            udn_namespace_manifest(settings.udn_namespace, labels),
            # The label cannot be added or removed on a live namespace: any change to it means a new namespace.
            child_options(self, replace_on_changes=[label_path(PRIMARY_UDN_LABEL)]),
        )
        self.namespace = settings.udn_namespace
        self.network = None
        self.subnet = None
        self.vm_names = []
        if settings.solved:
            udn_settings = settings.udn
            revision = SpecRevision(
                f"{name}-network-revision", udn_spec(udn_settings.subnet), pulumi.ResourceOptions(parent=self)
            )
            udn = custom_resource(
                f"{name}-network",
                udn_manifest(
                    name=udn_settings.name,
                    namespace=ns.metadata.name,
                    subnet=udn_settings.subnet,
                    labels=labels,
                    revision=revision.revision,
                ),
                # The spec is immutable (CEL `self == oldSelf`): any change is a delete and a create.
                child_options(self, replace_on_changes=["spec"]),
            )
            secret = register_cloud_init_secret(
                f"{name}-cloud-init", namespace=ns.metadata.name, user_data=args.user_data, labels=labels, parent=self
            )
            custom_resource(
                f"{name}-{UDN_VM_NAME}",
                vm_manifest(
                    name=UDN_VM_NAME,
                    namespace=ns.metadata.name,
                    vm=settings.vm,
                    nics=[primary_udn_nic(udn_settings.name)],
                    cloud_init_secret=secret.metadata.name,
                    labels=labels,
                    extra_annotations={
                        UDN_ANNOTATION: udn.metadata.apply(lambda _: f"{udn_settings.name} {udn_settings.subnet}"),
                    },
                ),
                # No pod or VM may exist in the namespace before its primary network does.
                child_options(self, depends_on=[udn, secret], replace_on_changes=[annotation_path(UDN_ANNOTATION)]),
            )
            self.network = udn_settings.name
            self.subnet = udn_settings.subnet
            self.vm_names = [UDN_VM_NAME]
        self.register_outputs(
            {"namespace": self.namespace, "network": self.network, "subnet": self.subnet, "vm_names": self.vm_names}
        )
