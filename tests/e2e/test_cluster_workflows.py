"""The three workflows with the real engine against a real kube-apiserver (etcd, kube-controller-manager).

The upstream CRDs are installed, so the API server enforces their schemas and CEL rules. A test double
(`controller_double`) plays NMState, OVN-Kubernetes and KubeVirt by setting their status conditions, late
on purpose, so the tests can see that `pulumi up` waited for them.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from controlplane import controlplane

from components.udn import udn_manifest

from controller_double import ControllerDouble
from e2e_support import Deployment, type_of
from helpers import CRDS_DIR
from local_pulumi import scratch_project

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CRDS_DIR.is_dir(), reason=f"upstream CRDs not found at {CRDS_DIR}"),
]

ATTENDEES = ("user1", "user2")
PARALLEL_ATTENDEES = tuple(f"user{n}" for n in range(11, 21))
CONTROLLER_DELAY = 2.0


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory):
    with controlplane.running(tmp_path_factory.mktemp("controlplane"), keep_on_failure=True) as plane:
        controlplane.install_crds(plane)
        yield plane


@pytest.fixture(scope="module")
def controllers(control_plane):
    with ControllerDouble(control_plane.kubectl, delay=CONTROLLER_DELAY) as double:
        yield double
    assert double.errors == []


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    stacks = ("cluster", *ATTENDEES)
    directory = scratch_project(tmp_path_factory.mktemp("cluster-e2e") / "project", stacks)
    for stack in PARALLEL_ATTENDEES:  # new attendees need no stack file: the stack name is the attendee
        (directory / "stacks" / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
    return directory


@pytest.fixture(scope="module")
def stacks(engine, control_plane, controllers, project):
    env = {**engine, "KUBECONFIG": str(control_plane.kubeconfig)}
    deployments = {name: Deployment(stack=name, project=project, env=env) for name in ("cluster", *ATTENDEES)}
    for deployment in deployments.values():
        deployment.init()
    yield deployments
    for deployment in reversed(deployments.values()):
        deployment.pulumi("destroy", "--yes", "--skip-preview", check=False)


def get(control_plane, resource: str, name: str, namespace: str | None = None) -> dict:
    args = ["get", resource, name, "-o", "json"] + (["-n", namespace] if namespace else [])
    return json.loads(control_plane.kubectl(*args).stdout)


def exists(control_plane, resource: str, name: str, namespace: str | None = None) -> bool:
    args = ["get", resource, name, "-o", "name"] + (["-n", namespace] if namespace else [])
    return control_plane.kubectl(*args, check=False).returncode == 0


def test_up_creates_every_object_in_order(stacks, control_plane, controllers):
    for deployment in stacks.values():
        deployment.pulumi("up", "--yes", "--skip-preview")

    nncp = get(control_plane, "nodenetworkconfigurationpolicies.nmstate.io", "br-flat")
    assert nncp["spec"]["desiredState"]["interfaces"][0]["bridge"]["port"] == [{"name": "enp3s0"}]
    assert nncp["metadata"]["labels"]["ocp-virt-networking/stack"] == "cluster"
    for user in ATTENDEES:
        project, udn_ns = f"vmexamples-{user}", f"vmexamples-{user}-udn"
        namespace = get(control_plane, "namespace", udn_ns)
        assert namespace["metadata"]["labels"]["k8s.ovn.org/primary-user-defined-network"] == ""
        nad = get(control_plane, "network-attachment-definitions.k8s.cni.cncf.io", "flatnetwork", project)
        assert json.loads(nad["spec"]["config"])["bridge"] == "br-flat"
        udn = get(control_plane, "userdefinednetworks.k8s.ovn.org", "primary-udn", udn_ns)
        assert udn["spec"]["layer2"]["subnets"] == ["192.168.254.0/24"]
        for name, namespace_name in (("fedora01", project), ("fedora02", project), ("fedora-udn", udn_ns)):
            vm = get(control_plane, "virtualmachines.kubevirt.io", name, namespace_name)
            assert vm["spec"]["runStrategy"] == "Always"
            assert "password" not in json.dumps(vm["spec"])
        secret = get(control_plane, "secret", "guest-cloud-init", udn_ns)
        assert set(secret["data"]) == {"userdata"}

        # pulumi up waited: the VM reached the API server only after the UDN reported NetworkCreated,
        # and the attached VMs only after the NAD existed.
        udn_key = ("userdefinednetworks.k8s.ovn.org", udn_ns, "primary-udn")
        vm_key = ("virtualmachines.kubevirt.io", udn_ns, "fedora-udn")
        assert controllers.first_seen[vm_key] >= controllers.ready_at[udn_key]
        assert controllers.first_seen[vm_key] - controllers.first_seen[udn_key] >= CONTROLLER_DELAY


def test_second_up_has_no_changes(stacks):
    for deployment in stacks.values():
        deployment.pulumi("preview", "--expect-no-changes")
        deployment.pulumi("up", "--yes", "--skip-preview", "--expect-no-changes")


def test_preview_diff_shows_exactly_one_change(stacks):
    assert stacks["user1"].planned_changes("flatNetwork.vlan", "100") == {
        "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition": {"update"}
    }


def test_udn_subnet_change_replaces_the_udn_and_the_server_accepts_it(stacks, control_plane):
    user2 = stacks["user2"]
    old_uid = get(control_plane, "userdefinednetworks.k8s.ovn.org", "primary-udn", "vmexamples-user2-udn")["metadata"][
        "uid"
    ]
    user2.pulumi("config", "set", "--path", "udn.subnet", "10.200.0.0/24")
    steps = user2.preview_steps()
    assert {type_of(urn): ops for urn, ops in steps.items()} == {
        "kubernetes:k8s.ovn.org/v1:UserDefinedNetwork": {"replace"},
        "kubernetes:kubevirt.io/v1:VirtualMachine": {"replace"},
        "pulumi-python:dynamic/revision:SpecRevision": {"replace"},
    }
    user2.pulumi("up", "--yes", "--skip-preview")
    udn = get(control_plane, "userdefinednetworks.k8s.ovn.org", "primary-udn", "vmexamples-user2-udn")
    assert udn["spec"]["layer2"]["subnets"] == ["10.200.0.0/24"]
    assert udn["metadata"]["uid"] != old_uid
    vm = get(control_plane, "virtualmachines.kubevirt.io", "fedora-udn", "vmexamples-user2-udn")
    assert vm["metadata"]["annotations"]["ocp-virt-networking/primary-udn"] == "primary-udn 10.200.0.0/24"
    user2.pulumi("up", "--yes", "--skip-preview", "--expect-no-changes")


def test_what_only_a_cel_rule_would_refuse_is_refused_by_our_validation_first(stacks, control_plane):
    """`10.0.0.0/33` is a string the UDN schema accepts; only its CEL rule isCIDR() refuses it."""
    bad = udn_manifest(name="cel-probe", namespace="vmexamples-user1-udn", subnet="10.0.0.0/33", labels={})
    dry_run = control_plane.kubectl("create", "--dry-run=server", "-f", "-", input=json.dumps(bad), check=False)
    assert dry_run.returncode != 0 and "CIDR is invalid" in dry_run.stderr

    user1 = stacks["user1"]
    user1.pulumi("config", "set", "--path", "udn.subnet", "10.0.0.0/33")
    try:
        preview = user1.pulumi("preview", check=False)
    finally:
        user1.pulumi("config", "rm", "--path", "udn.subnet")
    assert preview.returncode != 0
    assert "ocp-virt-networking:udn.subnet" in preview.stdout + preview.stderr
    user1.pulumi("preview", "--expect-no-changes")


def test_prepared_attendee_who_did_part_of_the_module_by_hand_is_caught_up(engine, control_plane, project):
    env = {**engine, "KUBECONFIG": str(control_plane.kubeconfig)}
    (project / "stacks" / "Pulumi.user3.yaml").write_text("config:\n  ocp-virt-networking:stage: prepared\n")
    user3 = Deployment(stack="user3", project=project, env=env)
    user3.init()
    user3.pulumi("up", "--yes", "--skip-preview")
    assert not exists(
        control_plane, "network-attachment-definitions.k8s.cni.cncf.io", "flatnetwork", "vmexamples-user3"
    )

    # The attendee, in the console: the NAD and the UDN from the forms, a second NIC on fedora01.
    console = ["--field-manager=Mozilla"]
    nad = {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": "flatnetwork", "namespace": "vmexamples-user3"},
        "spec": {"config": '{"cniVersion":"0.3.1","name":"flatnetwork","type":"bridge","bridge":"br-flat"}'},
    }
    control_plane.kubectl("create", *console, "-f", "-", input=json.dumps(nad))
    udn = udn_manifest(name="primary-udn", namespace="vmexamples-user3-udn", subnet="192.168.254.0/24", labels={})
    del udn["metadata"]["annotations"]
    control_plane.kubectl("create", *console, "-f", "-", input=json.dumps(udn))
    nic = [
        {
            "op": "add",
            "path": "/spec/template/spec/domain/devices/interfaces/-",
            "value": {"name": "nic-1", "bridge": {}},
        },
        {
            "op": "add",
            "path": "/spec/template/spec/networks/-",
            "value": {"name": "nic-1", "multus": {"networkName": "flatnetwork"}},
        },
    ]
    control_plane.kubectl(
        "patch",
        "virtualmachines.kubevirt.io",
        "fedora01",
        "-n",
        "vmexamples-user3",
        *console,
        "--type=json",
        "-p",
        json.dumps(nic),
    )

    user3.pulumi("config", "set", "stage", "solved")
    user3.pulumi("up", "--yes", "--skip-preview")
    fedora01 = get(control_plane, "virtualmachines.kubevirt.io", "fedora01", "vmexamples-user3")
    assert [n["name"] for n in fedora01["spec"]["template"]["spec"]["networks"]] == ["default", "flatnetwork"]
    nad_config = get(control_plane, "network-attachment-definitions.k8s.cni.cncf.io", "flatnetwork", "vmexamples-user3")
    assert json.loads(nad_config["spec"]["config"])["macspoofchk"] is True
    assert exists(control_plane, "virtualmachines.kubevirt.io", "fedora-udn", "vmexamples-user3-udn")
    user3.pulumi("up", "--yes", "--skip-preview", "--expect-no-changes")
    user3.pulumi("destroy", "--yes", "--skip-preview")
    assert not exists(control_plane, "namespace", "vmexamples-user3-udn")


def test_ten_attendees_in_parallel_then_destroy_leaves_nothing(engine, control_plane, controllers, project, stacks):
    env = {**engine, "KUBECONFIG": str(control_plane.kubeconfig)}
    deployments = [Deployment(stack=name, project=project, env=env) for name in PARALLEL_ATTENDEES]
    for deployment in deployments:
        deployment.init()

    def run_all(*args: str) -> None:
        processes = [
            subprocess.Popen(
                ["pulumi", *args, "--yes", "--skip-preview", "--non-interactive", "--stack", d.stack],
                cwd=project,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for d in deployments
        ]
        failures = []
        for process, deployment in zip(processes, deployments, strict=True):
            output, _ = process.communicate(timeout=900)
            if process.returncode != 0:
                failures.append(f"{deployment.stack}:\n{output[-3000:]}")
        assert failures == [], "\n".join(failures)

    run_all("up")
    for name in PARALLEL_ATTENDEES:
        assert exists(control_plane, "virtualmachines.kubevirt.io", "fedora-udn", f"vmexamples-{name}-udn")
    run_all("destroy")

    deadline = time.monotonic() + 180
    leftovers = ["?"]
    while leftovers and time.monotonic() < deadline:
        namespaces = control_plane.kubectl("get", "namespaces", "-o", "name").stdout.split()
        leftovers = [
            n for n in namespaces if any(n.startswith(f"namespace/vmexamples-{u}") for u in PARALLEL_ATTENDEES)
        ]
        time.sleep(1)
    assert leftovers == []
    labelled = control_plane.kubectl(
        "get",
        "all,secrets,network-attachment-definitions,userdefinednetworks,virtualmachines",
        "-A",
        "-l",
        "ocp-virt-networking/attendee in (" + ",".join(PARALLEL_ATTENDEES) + ")",
        "-o",
        "name",
    ).stdout.split()
    assert labelled == []
    # The cluster stack still owns the bridge policy, and its state says so.
    assert exists(control_plane, "nodenetworkconfigurationpolicies.nmstate.io", "br-flat")
    state = json.loads(stacks["cluster"].pulumi("stack", "export").stdout)
    assert any(r["type"].endswith("NodeNetworkConfigurationPolicy") for r in state["deployment"]["resources"])


def test_destroy_of_the_workshop_leaves_only_what_others_own(stacks, control_plane):
    for user in ATTENDEES:
        stacks[user].pulumi("destroy", "--yes", "--skip-preview")
    for user in ATTENDEES:
        assert not exists(control_plane, "namespace", f"vmexamples-{user}-udn")
    assert exists(control_plane, "nodenetworkconfigurationpolicies.nmstate.io", "br-flat")
    stacks["cluster"].pulumi("destroy", "--yes", "--skip-preview")
    assert not exists(control_plane, "nodenetworkconfigurationpolicies.nmstate.io", "br-flat")
