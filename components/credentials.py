"""The guest login of an attendee's VMs: a password that is generated once and kept in state as a secret.

The password comes from a dynamic provider that runs inside the program itself, so no extra provider
plugin is needed: it is generated at the first `pulumi up`, stays the same on every later run, and changes
only when `pulumi config set --secret password ...` overrides it.
"""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi.dynamic
import pulumi_kubernetes as k8s

from .common import child_options, metadata
from .config import GuestSettings
from .vm import cloud_init_secret_data, cloud_init_user_data

PASSWORD_LENGTH = 20
# No look-alike characters (0/O, 1/l/I): attendees type this into a VM console by hand.
PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def generate_password(length: int = PASSWORD_LENGTH) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


class PasswordProvider(pulumi.dynamic.ResourceProvider):
    """Creates a random password once; only a change of `length` makes a new one."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        length = int(props["length"])
        return pulumi.dynamic.CreateResult(
            id_=uuid.uuid4().hex, outs={"length": length, "password": generate_password(length)}
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        changed = int(olds.get("length", 0)) != int(news["length"])
        return pulumi.dynamic.DiffResult(changes=changed, replaces=["length"] if changed else [])


class GeneratedPassword(pulumi.dynamic.Resource, module="credentials", name="GeneratedPassword"):
    """A random password, secret in state and outputs."""

    password: pulumi.Output[str]

    def __init__(self, name: str, length: int = PASSWORD_LENGTH, opts: pulumi.ResourceOptions | None = None):
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["password"]))
        super().__init__(PasswordProvider(), name, {"length": length, "password": None}, opts)


@dataclass(frozen=True, kw_only=True)
class GuestCredentialsArgs:
    """The guest login settings; a configured password wins over the generated one."""

    guest: GuestSettings


class GuestCredentials(pulumi.ComponentResource):
    """The guest user, its password and the cloud-init user data built from them (both secret)."""

    user: str
    password: pulumi.Output[str]
    user_data: pulumi.Output[str]

    def __init__(self, name: str, args: GuestCredentialsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ocp-virt-networking:credentials:GuestCredentials", name, None, opts)
        guest = args.guest
        # Generated even when a password is configured, so removing the override brings the same one back.
        generated = GeneratedPassword(f"{name}-password", opts=pulumi.ResourceOptions(parent=self)).password
        self.user = guest.user
        self.password = pulumi.Output.secret(generated if guest.password is None else guest.password)
        self.user_data = pulumi.Output.secret(self.password.apply(lambda value: cloud_init_user_data(guest, value)))
        self.register_outputs({"user": self.user, "password": self.password, "user_data": self.user_data})


CLOUD_INIT_SECRET_NAME = "guest-cloud-init"


def register_cloud_init_secret(
    name: str,
    *,
    namespace: pulumi.Input[str],
    user_data: pulumi.Input[str],
    labels: Mapping[str, str],
    parent: pulumi.Resource,
) -> k8s.core.v1.Secret:
    """The Secret a namespace's VMs read their cloud-init from (`cloudInitNoCloud.secretRef`)."""
    return k8s.core.v1.Secret(
        name,
        metadata=metadata(CLOUD_INIT_SECRET_NAME, labels, namespace=namespace),
        type="Opaque",
        data=pulumi.Output.secret(pulumi.Output.from_input(user_data).apply(cloud_init_secret_data)),
        opts=child_options(parent),
    )
