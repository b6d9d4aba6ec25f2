"""Runs the real program (`__main__.py`) under Pulumi mocks and records what it registers.

The recording monitor keeps each registration's resource options (dependencies, delete-before-replace,
replace-on-changes, secret outputs), which Pulumi's own MockResourceArgs leaves out.
"""

from __future__ import annotations

import asyncio
import runpy
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings

from components.config import PROJECT
from components.credentials import GeneratedPassword, PasswordProvider
from components.revision import SpecRevision, SpecRevisionProvider

from helpers import PROGRAM, config_for

# Dynamic resources run the program's own provider code here, as the engine would.
DYNAMIC_PROVIDERS = {
    f"pulumi-python:{GeneratedPassword._resource_type_name}": PasswordProvider,
    f"pulumi-python:{SpecRevision._resource_type_name}": SpecRevisionProvider,
}


@dataclass
class Registered:
    """One RegisterResource call: what the program asked for, with its options."""

    type: str
    name: str
    urn: str
    custom: bool
    inputs: dict[str, Any]
    parent: str
    dependencies: list[str]
    delete_before_replace: bool
    replace_on_changes: list[str]
    additional_secret_outputs: list[str]
    provider: str

    def body(self) -> dict[str, Any]:
        """The Kubernetes object as sent: inputs, with apiVersion/kind for CustomResources."""
        return self.inputs


class RecordingMocks(pulumi.runtime.Mocks):
    """Returns inputs as outputs; dynamic resources run the program's real provider code."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        state = dict(args.inputs)
        if args.typ in DYNAMIC_PROVIDERS:
            state.update(DYNAMIC_PROVIDERS[args.typ]().create(args.inputs).outs)
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: RecordingMocks):
        super().__init__(mocks)
        self.registered: list[Registered] = []

    def RegisterResource(self, request):  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = pulumi.runtime.rpc.deserialize_properties(request.object)
            self.registered.append(
                Registered(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    custom=request.custom,
                    inputs=_unwrap_secrets(inputs),
                    parent=request.parent,
                    dependencies=list(request.dependencies),
                    delete_before_replace=request.deleteBeforeReplace,
                    replace_on_changes=list(request.replaceOnChanges),
                    additional_secret_outputs=list(request.additionalSecretOutputs),
                    provider=request.provider,
                )
            )
        return response


def _unwrap_secrets(value: Any) -> Any:
    """Plain values as the program wrote them: secrets unwrapped (secrecy is checked separately)."""
    if isinstance(value, dict):
        if value.get(pulumi.runtime.rpc._special_sig_key) == pulumi.runtime.rpc._special_secret_sig:
            return _unwrap_secrets(value["value"])
        return {k: _unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only doubles; manifests hold integers
    return value


@dataclass
class Run:
    """The result of one program run under mocks."""

    resources: list[Registered]
    outputs: dict[str, Any]
    secret_outputs: set[str] = field(default_factory=set)

    def of_type(self, type_token: str) -> list[Registered]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, object_name: str | None = None) -> Registered:
        found = [
            r
            for r in self.of_type(type_token)
            if object_name is None or r.inputs.get("metadata", {}).get("name") == object_name
        ]
        assert len(found) == 1, f"expected one {type_token} {object_name or ''}, got {[r.name for r in found]}"
        return found[0]

    def by_name(self, name: str) -> Registered:
        found = [r for r in self.resources if r.name == name]
        assert len(found) == 1, f"expected one resource named {name}, got {len(found)}"
        return found[0]

    def kubernetes_objects(self) -> list[Registered]:
        return [r for r in self.resources if r.type.startswith("kubernetes:") and r.custom and "Provider" not in r.type]


@pytest.fixture
def event_loop_per_test():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def run_program(event_loop_per_test):
    """Runs __main__.py for a stack with the given config values; returns what it registered and exported."""

    def run(values: dict[str, Any], stack: str = "user1", secret_keys: tuple[str, ...] = ()) -> Run:
        mocks = RecordingMocks()
        monitor = RecordingMonitor(mocks)
        run.monitor = monitor  # lets a test look at what was registered when the program raised
        pulumi_settings.ROOT.set(None)
        pulumi.runtime.set_all_config(config_for(values), [f"{PROJECT}:{k}" for k in secret_keys])
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
        exported: dict[str, Any] = {}
        secret_outputs: set[str] = set()

        outputs: dict[str, Any] = {}

        @pulumi.runtime.test
        def program():
            runpy.run_path(str(PROGRAM), run_name="__main__")
            outputs.update(pulumi_settings.get_root_resource().outputs)

        async def resolve():
            for key, value in outputs.items():
                output = pulumi.Output.from_input(value)
                exported[key] = _unwrap_secrets(await output.future())
                if await output.is_secret():
                    secret_outputs.add(key)

        program()
        event_loop_per_test.run_until_complete(resolve())
        return Run(resources=monitor.registered, outputs=exported, secret_outputs=secret_outputs)

    run.monitor = None
    return run
