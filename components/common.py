"""Small pieces every component uses: ownership labels, annotations and resource options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .config import PROJECT, AttendeeSettings

PART_OF_LABEL = "app.kubernetes.io/part-of"
ATTENDEE_LABEL = f"{PROJECT}/attendee"
STACK_LABEL = f"{PROJECT}/stack"

WAIT_FOR = "pulumi.com/waitFor"
# Server-side apply takes ownership of fields another manager (the console, `oc edit`) set, instead of failing.
PATCH_FORCE = "pulumi.com/patchForce"


@dataclass(frozen=True, kw_only=True)
class AttendeeComponentArgs:
    """What each attendee component needs: the validated settings, the stack name for ownership labels, and
    the guest's cloud-init user data (secret)."""

    settings: AttendeeSettings
    stack: str
    user_data: pulumi.Input[str]


def ownership_labels(stack: str, attendee: str | None = None) -> dict[str, str]:
    """Labels that say which tool, stack and attendee own an object (`kubectl get -l` friendly)."""
    labels = {PART_OF_LABEL: PROJECT, STACK_LABEL: stack}
    if attendee is not None:
        labels[ATTENDEE_LABEL] = attendee
    return labels


def metadata(
    name: str,
    labels: Mapping[str, str],
    namespace: pulumi.Input[str] | None = None,
    annotations: Mapping[str, pulumi.Input[str]] | None = None,
) -> dict[str, Any]:
    """Object metadata; namespace and annotation values may be Outputs (dependencies travel with them)."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def child_options(
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
    replace_on_changes: Sequence[str] = (),
) -> pulumi.ResourceOptions:
    """Options for a child with a fixed name: a replacement must delete the old object first."""
    return pulumi.ResourceOptions(
        parent=parent,
        depends_on=list(depends_on),
        delete_before_replace=True,
        replace_on_changes=list(replace_on_changes) or None,
    )


def custom_resource(
    name: str, manifest: Mapping[str, Any], opts: pulumi.ResourceOptions
) -> k8s.apiextensions.CustomResource:
    """Registers a manifest built by a pure function; its type token is kubernetes:<apiVersion>:<Kind>."""
    rest = {key: value for key, value in manifest.items() if key not in ("apiVersion", "kind", "metadata")}
    return k8s.apiextensions.CustomResource(
        name,
        api_version=manifest["apiVersion"],
        kind=manifest["kind"],
        metadata=manifest["metadata"],
        opts=opts,
        **rest,
    )


def namespace_manifest(name: str, labels: Mapping[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata(name, labels)}


def namespace(name: str, manifest: Mapping[str, Any], opts: pulumi.ResourceOptions) -> k8s.core.v1.Namespace:
    return k8s.core.v1.Namespace(name, metadata=manifest["metadata"], opts=opts)
