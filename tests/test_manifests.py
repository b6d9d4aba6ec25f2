"""Pure manifest builders, field for field against the lab (no Pulumi involved)."""

from __future__ import annotations

import base64
import json

import yaml

from components.bridge import nncp_manifest
from components.config import BridgeSettings, FlatNetworkSettings, GuestSettings, VmSettings, parse_settings
from components.credentials import PASSWORD_ALPHABET, PasswordProvider, generate_password
from components.flat_network import nad_config, nad_manifest
from components.outputs import console_links
from components.revision import SpecRevisionProvider, spec_revision
from components.udn import PRIMARY_UDN_LABEL, udn_manifest, udn_namespace_manifest
from components.vm import (
    bridge_nic,
    cloud_init_secret_data,
    cloud_init_user_data,
    pod_network_nic,
    primary_udn_nic,
    vm_manifest,
)

LABELS = {"app.kubernetes.io/part-of": "ocp-virt-networking"}


def test_nad_config_is_what_the_console_writes():
    config = json.loads(nad_config(FlatNetworkSettings()))
    assert config == {
        "cniVersion": "0.3.1",
        "name": "flatnetwork",
        "type": "bridge",
        "bridge": "br-flat",
        "ipam": {},
        "macspoofchk": True,
        "preserveDefaultVlan": False,
    }


def test_nad_config_tags_a_vlan_only_when_configured():
    assert json.loads(nad_config(FlatNetworkSettings(vlan=123)))["vlan"] == 123
    assert "vlan" not in nad_config(FlatNetworkSettings(name="n"))


def test_nad_config_supports_older_consoles_cni_type():
    assert json.loads(nad_config(FlatNetworkSettings(cni_type="cnv-bridge")))["type"] == "cnv-bridge"


def test_nad_config_text_is_stable_so_reruns_show_no_diff():
    first = nad_config(FlatNetworkSettings(vlan=7))
    assert first == nad_config(FlatNetworkSettings(vlan=7))
    assert " " not in first


def test_nad_manifest_schedules_on_nodes_with_the_bridge():
    nad = nad_manifest(FlatNetworkSettings(), namespace="vmexamples-user1", labels=LABELS)
    assert nad["apiVersion"] == "k8s.cni.cncf.io/v1" and nad["kind"] == "NetworkAttachmentDefinition"
    assert nad["metadata"]["namespace"] == "vmexamples-user1" and nad["metadata"]["name"] == "flatnetwork"
    assert nad["metadata"]["annotations"] == {
        "k8s.v1.cni.cncf.io/resourceName": "bridge.network.kubevirt.io/br-flat",
        "pulumi.com/patchForce": "true",
    }


def test_nncp_builds_a_bridge_without_host_ip_and_stp_off():
    nncp = nncp_manifest(BridgeSettings(nic="enp3s0"), LABELS)
    assert nncp["apiVersion"] == "nmstate.io/v1" and nncp["kind"] == "NodeNetworkConfigurationPolicy"
    assert nncp["metadata"]["name"] == "br-flat" and "namespace" not in nncp["metadata"]
    assert nncp["metadata"]["annotations"]["pulumi.com/waitFor"] == "condition=Available"
    spec = nncp["spec"]
    assert spec["nodeSelector"] == {"node-role.kubernetes.io/worker": ""}
    assert spec["maxUnavailable"] == 1
    (interface,) = spec["desiredState"]["interfaces"]
    assert interface["name"] == "br-flat" and interface["type"] == "linux-bridge" and interface["state"] == "up"
    assert interface["ipv4"] == {"enabled": False, "dhcp": False}
    assert interface["bridge"]["options"]["stp"] == {"enabled": False}
    assert interface["bridge"]["port"] == [{"name": "enp3s0"}]


def test_nncp_absent_state_removes_the_bridge():
    (interface,) = nncp_manifest(BridgeSettings(nic="enp3s0", state="absent"), LABELS)["spec"]["desiredState"][
        "interfaces"
    ]
    assert interface == {"name": "br-flat", "type": "linux-bridge", "state": "absent"}


def test_udn_namespace_carries_the_primary_label():
    ns = udn_namespace_manifest("vmexamples-user1-udn", LABELS)
    assert ns["metadata"]["labels"][PRIMARY_UDN_LABEL] == ""
    assert ns["metadata"]["labels"]["app.kubernetes.io/part-of"] == "ocp-virt-networking"


def test_udn_is_a_primary_layer2_network_with_persistent_ips():
    udn = udn_manifest(name="primary-udn", namespace="vmexamples-user1-udn", subnet="192.168.254.0/24", labels=LABELS)
    assert udn["apiVersion"] == "k8s.ovn.org/v1" and udn["kind"] == "UserDefinedNetwork"
    assert udn["spec"] == {
        "topology": "Layer2",
        "layer2": {"role": "Primary", "subnets": ["192.168.254.0/24"], "ipam": {"lifecycle": "Persistent"}},
    }
    assert udn["metadata"]["annotations"]["pulumi.com/waitFor"] == "condition=NetworkCreated"


def _udn_vm(vm: VmSettings | None = None) -> dict:
    return vm_manifest(
        name="fedora-udn",
        namespace="vmexamples-user1-udn",
        vm=vm or VmSettings(),
        nics=[primary_udn_nic("primary-udn")],
        cloud_init_secret="guest-cloud-init",
        labels=LABELS,
    )


def test_udn_vm_matches_the_lab_yaml():
    vm = _udn_vm()
    assert vm["metadata"]["labels"]["kubevirt.io/vm"] == "fedora-udn"
    spec = vm["spec"]
    assert spec["runStrategy"] == "Always" and "running" not in spec
    (dv,) = spec["dataVolumeTemplates"]
    assert dv["metadata"]["name"] == "fedora-udn"
    assert dv["spec"]["sourceRef"] == {
        "kind": "DataSource",
        "name": "fedora",
        "namespace": "openshift-virtualization-os-images",
    }
    assert dv["spec"]["storage"]["resources"]["requests"]["storage"] == "30Gi"
    template = spec["template"]["spec"]
    devices = template["domain"]["devices"]
    assert [d["name"] for d in devices["disks"]] == ["rootdisk", "cloudinitdisk"]
    assert all(d["disk"]["bus"] == "virtio" for d in devices["disks"])
    assert devices["rng"] == {}
    assert devices["interfaces"] == [{"name": "primary-udn", "binding": {"name": "l2bridge"}}]
    assert template["networks"] == [{"name": "primary-udn", "pod": {}}]
    assert template["domain"]["resources"]["requests"]["memory"] == "2048M"
    assert template["terminationGracePeriodSeconds"] == 0
    volumes = {v["name"]: v for v in template["volumes"]}
    assert volumes["rootdisk"]["dataVolume"] == {"name": "fedora-udn"}
    assert volumes["cloudinitdisk"]["cloudInitNoCloud"] == {"secretRef": {"name": "guest-cloud-init"}}


def test_vm_waits_for_ready_and_forces_field_ownership():
    annotations = _udn_vm()["metadata"]["annotations"]
    assert annotations["pulumi.com/waitFor"] == "condition=Ready"
    assert annotations["pulumi.com/patchForce"] == "true"


def test_vm_wait_can_be_switched_off():
    assert "pulumi.com/waitFor" not in _udn_vm(VmSettings(wait_ready=False))["metadata"]["annotations"]


def test_vm_size_and_storage_class_are_configurable():
    vm = _udn_vm(VmSettings(memory="4Gi", cores=2, disk_size="40Gi", storage_class="ocs-rbd", run_strategy="Halted"))
    template = vm["spec"]["template"]["spec"]
    assert template["domain"]["resources"]["requests"]["memory"] == "4Gi"
    assert template["domain"]["cpu"] == {"cores": 2}
    storage = vm["spec"]["dataVolumeTemplates"][0]["spec"]["storage"]
    assert storage == {"resources": {"requests": {"storage": "40Gi"}}, "storageClassName": "ocs-rbd"}
    assert vm["spec"]["runStrategy"] == "Halted"


def test_attached_vm_has_pod_network_and_a_bridge_nic_on_the_nad():
    vm = vm_manifest(
        name="fedora01",
        namespace="vmexamples-user1",
        vm=VmSettings(),
        nics=[pod_network_nic(), bridge_nic("flatnetwork")],
        cloud_init_secret="guest-cloud-init",
        labels=LABELS,
    )
    template = vm["spec"]["template"]["spec"]
    assert template["domain"]["devices"]["interfaces"] == [
        {"name": "default", "masquerade": {}},
        {"name": "flatnetwork", "bridge": {}},
    ]
    assert template["networks"] == [
        {"name": "default", "pod": {}},
        {"name": "flatnetwork", "multus": {"networkName": "flatnetwork"}},
    ]


def test_cloud_init_sets_the_guest_login_and_ssh_key():
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbc attendee@laptop"
    text = cloud_init_user_data(GuestSettings(user="fedora", ssh_public_key=key), "s3cret-pass")
    assert text.startswith("#cloud-config\n")
    data = yaml.safe_load(text)
    assert data == {
        "user": "fedora",
        "password": "s3cret-pass",
        "chpasswd": {"expire": False},
        "ssh_authorized_keys": [key],
    }


def test_cloud_init_password_cannot_inject_yaml():
    hostile = "x\nruncmd: [rm -rf /]"
    data = yaml.safe_load(cloud_init_user_data(GuestSettings(), hostile))
    assert data["password"] == hostile and "runcmd" not in data


def test_cloud_init_secret_data_is_base64_of_the_user_data():
    data = cloud_init_secret_data("#cloud-config\nuser: fedora\n")
    assert list(data) == ["userdata"]
    assert base64.b64decode(data["userdata"]).decode() == "#cloud-config\nuser: fedora\n"


def test_generated_passwords_are_long_unambiguous_and_different():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) == 20 and set(p) <= set(PASSWORD_ALPHABET) for p in passwords)
    assert not set("0O1lI") & set(PASSWORD_ALPHABET)


def test_password_provider_keeps_the_password_unless_its_length_changes():
    provider = PasswordProvider()
    created = provider.create({"length": 20})
    assert len(created.outs["password"]) == 20
    assert provider.diff(created.id, created.outs, {"length": 20, "password": None}).changes is False
    changed = provider.diff(created.id, created.outs, {"length": 24, "password": None})
    assert changed.changes is True and changed.replaces == ["length"]


def test_console_links_point_at_each_vm():
    links = console_links("https://console.apps.example.com", {"vmexamples-user1": ["fedora01"]})
    assert links == {
        "vmexamples-user1/fedora01": "https://console.apps.example.com/k8s/ns/vmexamples-user1/kubevirt.io~v1~VirtualMachine/fedora01"
    }


def test_console_url_trailing_slash_is_trimmed():
    settings = parse_settings({"consoleUrl": "https://console.apps.example.com/"}, "user1")
    assert settings.console_url == "https://console.apps.example.com"


def test_spec_revision_changes_with_the_spec_only():
    spec = {"topology": "Layer2", "layer2": {"subnets": ["192.168.254.0/24"]}}
    reordered = {"layer2": {"subnets": ["192.168.254.0/24"]}, "topology": "Layer2"}
    assert spec_revision(spec) == spec_revision(reordered)
    assert spec_revision(spec) != spec_revision({**spec, "layer2": {"subnets": ["10.0.0.0/24"]}})


def test_spec_revision_provider_replaces_on_a_new_spec():
    provider = SpecRevisionProvider()
    created = provider.create({"spec": '{"a": 1}'})
    assert created.outs["revision"] == spec_revision({"a": 1})
    assert provider.diff(created.id, created.outs, {"spec": '{"a": 1}'}).changes is False
    changed = provider.diff(created.id, created.outs, {"spec": '{"a": 2}'})
    assert changed.changes is True and changed.replaces == ["spec"]
