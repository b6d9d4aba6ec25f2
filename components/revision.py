"""A revision token for an immutable spec, so `pulumi preview` can show its replacement.

pulumi-kubernetes previews a create with a server-side dry run. For a same-name replacement that dry run
patches the object that still exists, and the API server refuses any change to an immutable spec (the UDN's
CEL rule `self == oldSelf`), so the preview fails although the update would succeed. The provider skips the
dry run when an input is unknown: a new spec makes a new revision here, whose value is unknown until the
update runs, and the object carries it as an annotation.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pulumi
import pulumi.dynamic

REVISION_ANNOTATION = "ocp-virt-networking/spec-revision"


def spec_revision(spec: Any) -> str:
    """A short, stable fingerprint of a spec."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


class SpecRevisionProvider(pulumi.dynamic.ResourceProvider):
    """A revision per distinct spec; any change of spec is a replacement."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        revision = spec_revision(json.loads(props["spec"]))
        return pulumi.dynamic.CreateResult(id_=revision, outs={"spec": props["spec"], "revision": revision})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        changed = json.loads(olds["spec"]) != json.loads(news["spec"])
        return pulumi.dynamic.DiffResult(changes=changed, replaces=["spec"] if changed else [])


class SpecRevision(pulumi.dynamic.Resource, module="revision", name="SpecRevision"):
    """The revision token of `spec` (JSON-serialisable)."""

    revision: pulumi.Output[str]

    def __init__(self, name: str, spec: Any, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            SpecRevisionProvider(), name, {"spec": json.dumps(spec, sort_keys=True), "revision": None}, opts
        )
