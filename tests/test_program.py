"""The whole program under Pulumi mocks: what each stack registers, with which options and outputs."""

from __future__ import annotations

import base64
import json

import pytest

from components.config import PROJECT
from components.revision import spec_revision

from helpers import STACK_FILES, stack_file_config

NAMESPACE = "kubernetes:core/v1:Namespace"
SECRET = "kubernetes:core/v1:Secret"
NAD = "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition"
UDN = "kubernetes:k8s.ovn.org/v1:UserDefinedNetwork"
VM = "kubernetes:kubevirt.io/v1:VirtualMachine"
NNCP = "kubernetes:nmstate.io/v1:NodeNetworkConfigurationPolicy"
CLUSTER_WIDE = (NNCP,)
COMPONENT_PREFIX = f"{PROJECT}:"


def names(resources):
    return sorted(r.inputs["metadata"]["name"] for r in resources)


def test_there_are_sample_stacks():
    assert {p.name for p in STACK_FILES} >= {"Pulumi.cluster.yaml", "Pulumi.user1.yaml", "Pulumi.user2.yaml"}


@pytest.mark.parametrize("stack_file", STACK_FILES, ids=[p.name for p in STACK_FILES])
def test_every_stack_file_runs_and_follows_the_conventions(run_program, stack_file):
    stack, values = stack_file_config(stack_file)
    run = run_program(values, stack=stack)
    assert run.kubernetes_objects(), "a stack that registers nothing"
    components = {r.urn: r for r in run.resources if r.type.startswith(COMPONENT_PREFIX)}
    for resource in run.resources:
        if resource.type.startswith(COMPONENT_PREFIX):
            module, kind = resource.type.split(":")[1:]
            assert module and kind[0].isupper()
            continue
        if resource.type == "pulumi:providers:kubernetes":
            continue
        # Every child is parented to a component and named after it.
        parent = components.get(resource.parent)
        assert parent is not None, f"{resource.name} has no component parent"
        assert resource.name.startswith(f"{parent.name}-"), resource.name
    for obj in run.kubernetes_objects():
        assert obj.delete_before_replace, f"{obj.name}: fixed-name objects must be delete-before-replace"
        labels = obj.inputs["metadata"]["labels"]
        assert labels["app.kubernetes.io/part-of"] == PROJECT
        assert labels[f"{PROJECT}/stack"] == stack


def test_attendee_stack_builds_the_lab_end_state(run_program):
    run = run_program({"attendee": "user1"})
    assert names(run.of_type(NAMESPACE)) == ["vmexamples-user1", "vmexamples-user1-udn"]
    nad = run.one(NAD)
    assert nad.inputs["metadata"] == {
        "name": "flatnetwork",
        "namespace": "vmexamples-user1",
        "labels": nad.inputs["metadata"]["labels"],
        "annotations": {
            "k8s.v1.cni.cncf.io/resourceName": "bridge.network.kubevirt.io/br-flat",
            "pulumi.com/patchForce": "true",
        },
    }
    assert json.loads(nad.inputs["spec"]["config"])["bridge"] == "br-flat"
    udn = run.one(UDN)
    assert udn.inputs["metadata"]["namespace"] == "vmexamples-user1-udn"
    assert udn.inputs["spec"]["layer2"]["subnets"] == ["192.168.254.0/24"]
    vms = {r.inputs["metadata"]["name"]: r for r in run.of_type(VM)}
    assert sorted(vms) == ["fedora-udn", "fedora01", "fedora02"]
    assert vms["fedora01"].inputs["metadata"]["namespace"] == "vmexamples-user1"
    assert vms["fedora-udn"].inputs["metadata"]["namespace"] == "vmexamples-user1-udn"
    for name in ("fedora01", "fedora02"):
        networks = vms[name].inputs["spec"]["template"]["spec"]["networks"]
        assert networks == [
            {"name": "default", "pod": {}},
            {"name": "flatnetwork", "multus": {"networkName": "flatnetwork"}},
        ]
    assert all(r.inputs["metadata"]["labels"][f"{PROJECT}/attendee"] == "user1" for r in run.kubernetes_objects())


def test_attendee_stacks_never_touch_cluster_wide_objects(run_program):
    run = run_program({"attendee": "user1"})
    assert not [r for r in run.kubernetes_objects() if r.type in CLUSTER_WIDE]
    namespaced = [r for r in run.kubernetes_objects() if r.type != NAMESPACE]
    assert all(r.inputs["metadata"]["namespace"].startswith("vmexamples-user1") for r in namespaced)


def test_cluster_stack_owns_only_the_bridge_policy(run_program):
    run = run_program({"role": "cluster", "bridge": {"nic": "enp3s0"}}, stack="cluster")
    assert [r.type for r in run.kubernetes_objects()] == [NNCP]
    assert run.outputs == {"bridgePolicy": "br-flat", "bridge": "br-flat", "nic": "enp3s0", "globalNetwork": None}


def test_cluster_stack_can_publish_the_network_globally(run_program):
    run = run_program(
        {
            "role": "cluster",
            "bridge": {"nic": "enp1s0", "name": "br-lab"},
            "globalNetwork": {"enabled": True, "vlan": 10},
        },
        stack="cluster",
    )
    nad = run.one(NAD)
    assert nad.inputs["metadata"]["namespace"] == "default"
    config = json.loads(nad.inputs["spec"]["config"])
    assert (config["vlan"], config["bridge"]) == (10, "br-lab")
    assert run.one(NNCP).urn in nad.dependencies
    assert run.outputs["globalNetwork"] == "default/flatnetwork"


def test_prepared_stage_leaves_the_module_to_the_attendee(run_program):
    run = run_program({"attendee": "user1", "stage": "prepared"})
    assert names(run.of_type(NAMESPACE)) == ["vmexamples-user1", "vmexamples-user1-udn"]
    assert run.of_type(NAD) == [] and run.of_type(UDN) == []
    assert names(run.of_type(VM)) == ["fedora01", "fedora02"]
    for vm in run.of_type(VM):
        assert vm.inputs["spec"]["template"]["spec"]["networks"] == [{"name": "default", "pod": {}}]
    udn_ns = run.one(NAMESPACE, "vmexamples-user1-udn")
    assert udn_ns.inputs["metadata"]["labels"]["k8s.ovn.org/primary-user-defined-network"] == ""
    assert run.outputs["networks"] == {"flat": None, "udn": None}


def test_prepared_and_solved_share_resource_names_so_catching_up_is_an_update(run_program):
    prepared = {r.urn for r in run_program({"stage": "prepared"}).resources}
    solved = {r.urn for r in run_program({"stage": "solved"}).resources}
    assert prepared < solved


def test_udn_vm_waits_for_the_udn_and_attached_vms_for_the_nad(run_program):
    run = run_program({"attendee": "user1"})
    udn, nad = run.one(UDN), run.one(NAD)
    assert udn.urn in run.one(VM, "fedora-udn").dependencies
    for name in ("fedora01", "fedora02"):
        assert nad.urn in run.one(VM, name).dependencies
    udn_ns = run.one(NAMESPACE, "vmexamples-user1-udn")
    assert udn_ns.urn in udn.dependencies


def test_immutable_things_are_replaced(run_program):
    run = run_program({"attendee": "user1"})
    assert run.one(UDN).replace_on_changes == ["spec"]
    assert run.one(NAMESPACE, "vmexamples-user1-udn").replace_on_changes == [
        'metadata.labels["k8s.ovn.org/primary-user-defined-network"]'
    ]
    # The VM is replaced with its UDN (OVN-Kubernetes keeps a UDN while a pod uses it).
    vm = run.one(VM, "fedora-udn")
    assert vm.replace_on_changes == ['metadata.annotations["ocp-virt-networking/primary-udn"]']
    assert vm.inputs["metadata"]["annotations"]["ocp-virt-networking/primary-udn"] == "primary-udn 192.168.254.0/24"


def test_udn_carries_the_revision_of_its_spec(run_program):
    """A new spec means a new, unknown-in-preview revision: the provider then skips its dry run, which a
    same-name replacement of an immutable spec would fail."""
    udn = run_program({"attendee": "user1"}).one(UDN)
    revision = udn.inputs["metadata"]["annotations"]["ocp-virt-networking/spec-revision"]
    assert revision == spec_revision(udn.inputs["spec"])


def test_vms_use_run_strategy_and_a_cloud_init_secret_ref(run_program):
    run = run_program({"attendee": "user1"})
    secrets_by_namespace = {r.inputs["metadata"]["namespace"]: r for r in run.of_type(SECRET)}
    for vm in run.of_type(VM):
        spec = vm.inputs["spec"]
        assert spec["runStrategy"] == "Always" and "running" not in spec
        volume = next(v for v in spec["template"]["spec"]["volumes"] if "cloudInitNoCloud" in v)
        secret = secrets_by_namespace[vm.inputs["metadata"]["namespace"]]
        assert volume["cloudInitNoCloud"] == {"secretRef": {"name": secret.inputs["metadata"]["name"]}}
        assert secret.urn in vm.dependencies


def test_password_never_appears_outside_its_secret(run_program):
    run = run_program({"attendee": "user1", "password": "Workshop-Pass-42"}, secret_keys=("password",))
    for obj in run.kubernetes_objects():
        if obj.type == SECRET:
            continue
        text = json.dumps(obj.inputs)
        assert "Workshop-Pass-42" not in text and '"password"' not in text, obj.name
    for secret in run.of_type(SECRET):
        user_data = base64.b64decode(secret.inputs["data"]["userdata"]).decode()
        assert "password: Workshop-Pass-42" in user_data
    assert run.outputs["guestPassword"] == "Workshop-Pass-42"
    assert "guestPassword" in run.secret_outputs
    # The generated one stays in state, so removing the override brings it back unchanged.
    assert len(run.of_type("pulumi-python:dynamic/credentials:GeneratedPassword")) == 1


def test_generated_password_is_secret_in_state_and_outputs(run_program):
    run = run_program({"attendee": "user1"})
    (generator,) = run.of_type("pulumi-python:dynamic/credentials:GeneratedPassword")
    assert generator.additional_secret_outputs == ["password"]
    password = run.outputs["guestPassword"]
    assert len(password) == 20 and "guestPassword" in run.secret_outputs
    for secret in run.of_type(SECRET):
        assert f"password: {password}" in base64.b64decode(secret.inputs["data"]["userdata"]).decode()
        assert generator.urn in secret.dependencies


def test_outputs_give_an_instructor_what_they_need(run_program):
    run = run_program({"attendee": "user3", "consoleUrl": "https://console.apps.lab.example"}, stack="user3")
    outputs = run.outputs
    assert outputs["namespaces"] == {"project": "vmexamples-user3", "udn": "vmexamples-user3-udn"}
    assert outputs["vms"] == {"vmexamples-user3": ["fedora01", "fedora02"], "vmexamples-user3-udn": ["fedora-udn"]}
    assert outputs["networks"] == {"flat": "flatnetwork", "udn": "primary-udn"}
    assert outputs["udnSubnet"] == "192.168.254.0/24"
    assert outputs["guestUser"] == "fedora"
    assert outputs["consoleLinks"]["vmexamples-user3-udn/fedora-udn"].endswith(
        "/k8s/ns/vmexamples-user3-udn/kubevirt.io~v1~VirtualMachine/fedora-udn"
    )


def test_existing_project_namespace_is_used_not_owned(run_program):
    run = run_program({"attendee": "user1", "createProjectNamespace": False})
    assert names(run.of_type(NAMESPACE)) == ["vmexamples-user1-udn"]
    assert run.one(NAD).inputs["metadata"]["namespace"] == "vmexamples-user1"


def test_render_directory_routes_everything_through_a_render_provider(run_program, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", "/home/someone/.kube/config")
    run = run_program({"attendee": "user1", "renderDirectory": "out/user1"})
    (provider,) = run.of_type("pulumi:providers:kubernetes")
    assert provider.inputs["renderYamlToDirectory"] == "out/user1"
    assert provider.inputs.get("kubeconfig", "") == ""  # render mode refuses one, even from $KUBECONFIG
    for obj in run.kubernetes_objects():
        assert obj.provider.startswith(provider.urn), obj.name


def test_without_render_directory_the_default_provider_applies_to_the_cluster(run_program):
    run = run_program({"attendee": "user1"})
    assert run.of_type("pulumi:providers:kubernetes") == []


def test_config_changes_reach_the_manifests(run_program):
    run = run_program(
        {
            "attendee": "user9",
            "flatNetwork": {"name": "vlan-net", "vlan": 300},
            "udn": {"name": "tenant", "subnet": "10.210.0.0/24"},
            "vm": {"memory": "4Gi", "dataSource": "rhel9"},
        },
        stack="user9",
    )
    nad = run.one(NAD, "vlan-net")
    assert json.loads(nad.inputs["spec"]["config"])["vlan"] == 300
    assert run.one(UDN, "tenant").inputs["spec"]["layer2"]["subnets"] == ["10.210.0.0/24"]
    fedora01 = run.one(VM, "fedora01").inputs["spec"]
    assert fedora01["template"]["spec"]["networks"][1] == {"name": "vlan-net", "multus": {"networkName": "vlan-net"}}
    assert fedora01["dataVolumeTemplates"][0]["spec"]["sourceRef"]["name"] == "rhel9"
    udn_vm = run.one(VM, "fedora-udn").inputs["spec"]["template"]["spec"]
    assert udn_vm["networks"] == [{"name": "tenant", "pod": {}}]
