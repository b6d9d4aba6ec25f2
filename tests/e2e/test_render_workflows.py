"""The three workflows with the real Pulumi CLI, engine, language host and Kubernetes provider, in render mode.

Each stack runs in its own scratch project (code linked, stack file copied) against a file backend:
`pulumi up`, a second `up` with no changes, `preview --diff` after one setting, `stack export`, `destroy`.
"""

from __future__ import annotations

import base64
import json

import pytest

from crd_validation import load_crds, validate
from e2e_support import Deployment
from helpers import CRDS_DIR
from local_pulumi import objects_without_namespace, scratch_project

pytestmark = pytest.mark.e2e

STACKS = ("cluster", "user1", "user2")


def expected_objects(stack: str) -> set[tuple[str, str, str]]:
    """(kind, namespace, name) of everything DESIGN.md lists for a stack with the sample config."""
    if stack == "cluster":
        return {("NodeNetworkConfigurationPolicy", "", "br-flat")}
    project, udn = f"vmexamples-{stack}", f"vmexamples-{stack}-udn"
    return {
        ("Namespace", "", project),
        ("Namespace", "", udn),
        ("NetworkAttachmentDefinition", project, "flatnetwork"),
        ("VirtualMachine", project, "fedora01"),
        ("VirtualMachine", project, "fedora02"),
        ("Secret", project, "guest-cloud-init"),
        ("UserDefinedNetwork", udn, "primary-udn"),
        ("VirtualMachine", udn, "fedora-udn"),
        ("Secret", udn, "guest-cloud-init"),
    }


@pytest.fixture(scope="module", params=STACKS)
def deployment(request, engine, tmp_path_factory):
    stack = request.param
    root = tmp_path_factory.mktemp(f"e2e-{stack}")
    deployment = Deployment(
        stack=stack, project=scratch_project(root / "project", [stack]), env=engine, render_dir=root / "rendered"
    )
    deployment.init()
    deployment.pulumi("config", "set", "renderDirectory", str(deployment.render_dir))
    deployment.pulumi("up", "--yes", "--skip-preview")
    yield deployment
    deployment.pulumi("destroy", "--yes", check=False)
    deployment.pulumi("stack", "rm", "--yes", "--force", check=False)


def test_up_renders_every_object_with_its_namespace(deployment):
    objects = deployment.objects()
    found = {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in objects}
    assert found == expected_objects(deployment.stack)
    assert objects_without_namespace(objects) == []


@pytest.mark.skipif(not CRDS_DIR.is_dir(), reason=f"upstream CRDs not found at {CRDS_DIR}")
def test_rendered_custom_resources_pass_their_crds(deployment):
    crds = load_crds(CRDS_DIR)
    checked = 0
    for obj in deployment.objects():
        key = (obj["apiVersion"].split("/")[0], obj["kind"])
        if key in crds:
            assert validate(obj, crds[key]) == [], f"{obj['kind']}/{obj['metadata']['name']}"
            checked += 1
    assert checked >= 1


def test_second_up_has_no_changes(deployment):
    deployment.pulumi("preview", "--expect-no-changes")
    deployment.pulumi("up", "--yes", "--skip-preview", "--expect-no-changes")


def test_one_setting_change_is_exactly_one_update(deployment):
    if deployment.stack == "cluster":
        key, value, token = "bridge.maxUnavailable", "2", "kubernetes:nmstate.io/v1:NodeNetworkConfigurationPolicy"
    else:
        key, value, token = "flatNetwork.vlan", "100", "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition"
    assert deployment.planned_changes(key, value) == {token: {"update"}}


def test_a_change_the_cluster_forbids_in_place_is_a_replacement(deployment):
    if deployment.stack == "cluster":
        # The policy's name is the bridge's: a new name is a new policy.
        assert deployment.planned_changes("bridge.name", "br-lab") == {
            "kubernetes:nmstate.io/v1:NodeNetworkConfigurationPolicy": {"replace"}
        }
        return
    # The VM goes with its UDN: OVN-Kubernetes keeps a UDN as long as a pod uses it.
    assert deployment.planned_changes("udn.subnet", "10.200.0.0/24") == {
        "kubernetes:k8s.ovn.org/v1:UserDefinedNetwork": {"replace"},
        "kubernetes:kubevirt.io/v1:VirtualMachine": {"replace"},
        "pulumi-python:dynamic/revision:SpecRevision": {"replace"},
    }


def test_state_holds_no_plaintext_credential(deployment):
    exported = deployment.pulumi("stack", "export").stdout
    if deployment.stack == "cluster":
        assert json.loads(exported)["deployment"]["resources"]
        assert "guest-cloud-init" not in exported
        return
    password = deployment.pulumi("stack", "output", "guestPassword", "--show-secrets").stdout.strip()
    assert len(password) == 20
    assert password not in exported
    # The same state decrypted does hold it: the check above looks in the right place.
    assert password in deployment.pulumi("stack", "export", "--show-secrets").stdout


def test_outputs_and_password_survive_another_up(deployment):
    before = json.loads(deployment.pulumi("stack", "output", "--json", "--show-secrets").stdout)
    deployment.pulumi("up", "--yes", "--skip-preview")
    assert json.loads(deployment.pulumi("stack", "output", "--json", "--show-secrets").stdout) == before
    assert ("guestPassword" in before) == (deployment.stack != "cluster")


def test_password_override_must_be_secret_and_its_removal_restores_the_generated_one(deployment):
    if deployment.stack == "cluster":
        deployment.pulumi("config", "set", "--secret", "password", "Workshop-Pass-42")
        try:
            refused = deployment.pulumi("preview", check=False)
        finally:
            deployment.pulumi("config", "rm", "password")
        assert refused.returncode != 0
        assert "ocp-virt-networking:password: is not used by role 'cluster'" in refused.stdout
        return
    generated = deployment.pulumi("stack", "output", "guestPassword", "--show-secrets").stdout.strip()
    deployment.pulumi("config", "set", "password", "plain-text-password")
    refused = deployment.pulumi("preview", check=False)
    assert refused.returncode != 0 and "ocp-virt-networking:password: must be set as a secret" in refused.stdout
    assert "plain-text-password" not in refused.stdout + refused.stderr

    deployment.pulumi("config", "set", "--secret", "password", "Workshop-Pass-42")
    deployment.pulumi("up", "--yes", "--skip-preview")
    assert deployment.pulumi("stack", "output", "guestPassword", "--show-secrets").stdout.strip() == "Workshop-Pass-42"
    assert "Workshop-Pass-42" not in deployment.pulumi("stack", "export").stdout
    user_data = next(o for o in deployment.objects() if o["kind"] == "Secret")["data"]["userdata"]
    assert "password: Workshop-Pass-42" in base64.b64decode(user_data).decode()

    deployment.pulumi("config", "rm", "password")
    deployment.pulumi("up", "--yes", "--skip-preview")
    assert deployment.pulumi("stack", "output", "guestPassword", "--show-secrets").stdout.strip() == generated


def test_destroy_removes_resources_and_rendered_files(deployment):
    deployment.pulumi("destroy", "--yes", "--skip-preview")
    assert deployment.objects() == []
    resources = json.loads(deployment.pulumi("stack", "export").stdout)["deployment"].get("resources") or []
    assert resources == []
