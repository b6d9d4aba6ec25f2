"""Every custom resource the program builds passes the upstream CRD schemas and their CEL rules."""

from __future__ import annotations

import copy

import pytest

from crd_validation import crds_in, load_crds, validate
from helpers import CRDS_DIR, STACK_FILES, stack_file_config

pytestmark = pytest.mark.skipif(
    not CRDS_DIR.is_dir(), reason=f"upstream CRDs not found at {CRDS_DIR} (set OCP_VIRT_NET_CRDS to their folder)"
)

# Stack configs beyond the sample files, so every branch of the builders meets the schemas.
VARIANTS = {
    "prepared": ("user5", {"attendee": "user5", "stage": "prepared"}),
    "vlan-and-sizes": (
        "user6",
        {
            "attendee": "user6",
            "flatNetwork": {"vlan": 4094, "cniType": "cnv-bridge"},
            "udn": {"subnet": "fd00:10::/64"},
            "vm": {"memory": "4Gi", "cores": 4, "storageClass": "ocs-storagecluster-ceph-rbd", "runStrategy": "Halted"},
            "sshPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOr attendee",
        },
    ),
    "cluster-global": (
        "cluster",
        {
            "role": "cluster",
            "bridge": {"nic": "enp1s0", "maxUnavailable": "50%", "nodeSelector": {"kubernetes.io/hostname": "w1"}},
            "globalNetwork": {"enabled": True, "vlan": 12},
        },
    ),
    "cluster-absent": ("cluster", {"role": "cluster", "bridge": {"nic": "enp1s0", "state": "absent"}}),
}
CASES = [stack_file_config(path) for path in STACK_FILES] + list(VARIANTS.values())
CASE_IDS = [path.name for path in STACK_FILES] + list(VARIANTS)


@pytest.fixture(scope="module")
def crds():
    return load_crds(CRDS_DIR)


def custom_objects(run):
    """(object, CRD key) for each CustomResource registered: its type token is kubernetes:<group>/<v>:<Kind>."""
    found = []
    for resource in run.kubernetes_objects():
        api_version, kind = resource.type.split(":")[1:]
        if "." not in api_version.split("/")[0]:
            continue  # core API objects are not CRDs
        body = {"apiVersion": api_version, "kind": kind, **resource.inputs}
        found.append((body, (api_version.split("/")[0], kind)))
    return found


@pytest.mark.parametrize(("stack", "values"), CASES, ids=CASE_IDS)
def test_custom_resources_pass_their_crds(run_program, crds, stack, values):
    objects = custom_objects(run_program(values, stack=stack))
    assert objects
    for body, key in objects:
        assert key in crds, f"no CRD for {key}"
        assert validate(body, crds[key]) == [], f"{body['kind']} {body['metadata']['name']}"


@pytest.mark.parametrize(("stack", "values"), CASES, ids=CASE_IDS)
def test_vm_data_volume_templates_pass_the_datavolume_crd(run_program, crds, stack, values):
    for body, (_, kind) in custom_objects(run_program(values, stack=stack)):
        if kind != "VirtualMachine":
            continue
        for template in body["spec"]["dataVolumeTemplates"]:
            data_volume = {**template, "metadata": {**template["metadata"], "namespace": body["metadata"]["namespace"]}}
            assert validate(data_volume, crds[("cdi.kubevirt.io", "DataVolume")]) == []


def test_udn_passes_the_udn_crd_openshift_ships(run_program):
    openshift = CRDS_DIR / "openshift-4.22" / "k8s.ovn.org_userdefinednetworks.yaml"
    if not openshift.is_file():
        pytest.skip(f"{openshift} not found")
    (crd,) = crds_in(openshift)
    for body, (_, kind) in custom_objects(run_program({"attendee": "user1"})):
        if kind == "UserDefinedNetwork":
            assert validate(body, crd) == []


def _udn(run_program):
    (udn,) = [b for b, (_, kind) in custom_objects(run_program({"attendee": "user1"})) if kind == "UserDefinedNetwork"]
    return udn


# The validator itself must be able to fail: each of these is what an API server refuses.
def test_validator_refuses_a_udn_spec_change(run_program, crds):
    udn = _udn(run_program)
    changed = copy.deepcopy(udn)
    changed["spec"]["layer2"]["subnets"] = ["10.99.0.0/24"]
    assert validate(changed, crds[("k8s.ovn.org", "UserDefinedNetwork")], old=udn) == [".spec: Spec is immutable"]


def test_validator_refuses_an_invalid_cidr_through_cel(run_program, crds):
    udn = _udn(run_program)
    udn["spec"]["layer2"]["subnets"] = ["192.168.254.0/33"]
    assert validate(udn, crds[("k8s.ovn.org", "UserDefinedNetwork")]) == [".spec.layer2.subnets[0]: CIDR is invalid"]


def test_validator_refuses_two_subnets_of_one_family(run_program, crds):
    udn = _udn(run_program)
    udn["spec"]["layer2"]["subnets"] = ["10.1.0.0/24", "10.2.0.0/24"]
    problems = validate(udn, crds[("k8s.ovn.org", "UserDefinedNetwork")])
    assert problems == [".spec.layer2.subnets: When 2 CIDRs are set, they must be from different IP families"]


def test_validator_refuses_unknown_fields_and_wrong_enums(run_program, crds):
    udn = _udn(run_program)
    udn["spec"]["layer2"]["role"] = "primary"
    udn["spec"]["layer2"]["subnet"] = "10.0.0.0/24"
    problems = validate(udn, crds[("k8s.ovn.org", "UserDefinedNetwork")])
    assert any("role" in p and "'primary' is not one of" in p for p in problems)
    assert any("'subnet' was unexpected" in p for p in problems)


def test_validator_refuses_a_vm_without_namespace_or_with_a_typo(run_program, crds):
    (vm, key) = next((b, k) for b, k in custom_objects(run_program({"attendee": "user1"})) if k[1] == "VirtualMachine")
    vm["spec"]["runstrategy"] = vm["spec"].pop("runStrategy")
    del vm["metadata"]["namespace"]
    problems = validate(vm, crds[key])
    assert any("'runstrategy' was unexpected" in p for p in problems)
    assert "metadata.namespace: required for a namespaced kind" in problems


def test_validator_refuses_bad_node_selector_keys_through_cel(run_program, crds):
    run = run_program({"role": "cluster", "bridge": {"nic": "enp3s0"}}, stack="cluster")
    ((nncp, key),) = custom_objects(run)
    nncp["spec"]["nodeSelector"] = {"not a key!": ""}
    assert validate(nncp, crds[key]) == [".spec.nodeSelector: nodeSelector keys must be valid qualified names"]


def test_validator_refuses_a_persistent_lifecycle_without_ipam(run_program, crds):
    udn = _udn(run_program)
    udn["spec"]["layer2"]["ipam"]["mode"] = "Disabled"
    udn["spec"]["layer2"]["role"] = "Secondary"
    del udn["spec"]["layer2"]["subnets"]
    problems = validate(udn, crds[("k8s.ovn.org", "UserDefinedNetwork")])
    assert ".spec.layer2.ipam: lifecycle Persistent is only supported when ipam.mode is Enabled" in problems


def test_config_validation_catches_what_only_cel_would(crds):
    """A reserved-range subnet is a valid CIDR to the CRD; our validation still refuses it up front."""
    from components.config import ConfigError, parse_settings
    from components.udn import udn_manifest

    udn = udn_manifest(name="primary-udn", namespace="ns", subnet="100.64.0.0/24", labels={})
    assert validate(udn, crds[("k8s.ovn.org", "UserDefinedNetwork")]) == []
    with pytest.raises(ConfigError, match="join subnet"):
        parse_settings({"udn": {"subnet": "100.64.0.0/24"}}, "user1")
