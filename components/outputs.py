"""What an attendee stack exports: what an attendee or instructor needs to find and use the lab."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pulumi

from .config import AttendeeSettings


def console_links(console_url: str, vms: dict[str, list[str]]) -> dict[str, str]:
    """OpenShift console pages of each VM, keyed `<namespace>/<vm>`."""
    return {
        f"{namespace}/{vm}": f"{console_url}/k8s/ns/{quote(namespace)}/kubevirt.io~v1~VirtualMachine/{quote(vm)}"
        for namespace, names in vms.items()
        for vm in names
    }


def attendee_outputs(settings: AttendeeSettings, project: Any, udn: Any, credentials: Any) -> dict[str, Any]:
    """Stack outputs; the password stays a secret."""
    vms = {project.namespace: project.vm_names, udn.namespace: udn.vm_names}
    outputs: dict[str, Any] = {
        "attendee": settings.attendee,
        "stage": settings.stage,
        "namespaces": {"project": project.namespace, "udn": udn.namespace},
        "vms": vms,
        "networks": {"flat": project.network, "udn": udn.network},
        "udnSubnet": udn.subnet,
        "guestUser": credentials.user,
        "guestPassword": pulumi.Output.secret(credentials.password),
    }
    if settings.console_url is not None:
        outputs["consoleLinks"] = console_links(settings.console_url, vms)
    return outputs
