"""Config: defaults field by field, every kind of bad input refused with the key named, before any resource."""

from __future__ import annotations

import pytest
import yaml

from components.config import (
    PROJECT,
    AttendeeSettings,
    ClusterSettings,
    ConfigError,
    parse_settings,
)

from helpers import ROOT


def problems_of(values: dict, stack: str = "user1", secret_keys: frozenset[str] = frozenset()) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings(values, stack, secret_keys)
    return str(caught.value)


def test_attendee_defaults_follow_the_lab():
    settings = parse_settings({"attendee": "user7"}, "user7")
    assert isinstance(settings, AttendeeSettings)
    assert settings.project_namespace == "vmexamples-user7"
    assert settings.udn_namespace == "vmexamples-user7-udn"
    assert (settings.flat_network.name, settings.flat_network.bridge, settings.flat_network.vlan) == (
        "flatnetwork",
        "br-flat",
        None,
    )
    assert (settings.udn.name, settings.udn.subnet) == ("primary-udn", "192.168.254.0/24")
    assert settings.stage == "solved" and settings.solved
    assert settings.vm.run_strategy == "Always" and settings.vm.wait_ready


def test_attendee_defaults_to_the_stack_name():
    assert parse_settings({}, "user42").attendee == "user42"


def test_objects_take_defaults_field_by_field():
    settings = parse_settings({"udn": {"subnet": "10.200.0.0/24"}, "flatNetwork": '{"vlan": 42}'}, "user1")
    assert settings.udn.name == "primary-udn" and settings.udn.subnet == "10.200.0.0/24"
    assert settings.flat_network.name == "flatnetwork" and settings.flat_network.vlan == 42


def test_cluster_role_reads_the_bridge():
    settings = parse_settings({"role": "cluster", "bridge": {"nic": "enp1s0", "maxUnavailable": "25%"}}, "cluster")
    assert isinstance(settings, ClusterSettings)
    assert (settings.bridge.nic, settings.bridge.name, settings.bridge.max_unavailable) == ("enp1s0", "br-flat", "25%")
    assert dict(settings.bridge.node_selector) == {"node-role.kubernetes.io/worker": ""}
    assert settings.global_network is None


def test_numbers_set_with_config_path_arrive_as_strings_and_are_accepted():
    settings = parse_settings({"flatNetwork": {"vlan": "100"}, "vm": {"cores": "2"}, "waitForVms": "false"}, "u1")
    assert settings.flat_network.vlan == 100 and settings.vm.cores == 2 and not settings.vm.wait_ready


def test_a_vm_that_is_not_running_is_not_awaited():
    assert not parse_settings({"vm": {"runStrategy": "Halted"}}, "user1").vm.wait_ready


def test_secret_password_is_accepted():
    settings = parse_settings({"password": "correct-horse"}, "user1", frozenset({"password"}))
    assert settings.guest.password == "correct-horse"


# (config values, stack, the key the error must name, a phrase saying what is allowed)
BAD_INPUT = [
    ({"role": "admin"}, "user1", "role", "attendee, cluster"),
    ({"attendee": "User_1"}, "user1", "attendee", "DNS-1123 label"),
    ({"attendee": "a" * 49}, "user1", "attendee", "at most 48 characters"),
    ({"attendee": "-user"}, "user1", "attendee", "DNS-1123 label"),
    ({}, "Stack_With_Caps", "attendee", "DNS-1123 label"),
    ({"stage": "done"}, "user1", "stage", "solved, prepared"),
    ({"udn": {"subnet": "192.168.254.0"}}, "user1", "udn.subnet", "CIDR"),
    ({"udn": {"subnet": "not-a-cidr"}}, "user1", "udn.subnet", "CIDR"),
    ({"udn": {"subnet": "192.168.254.1/24"}}, "user1", "udn.subnet", "did you mean 192.168.254.0/24"),
    ({"udn": {"subnet": "100.64.10.0/24"}}, "user1", "udn.subnet", "join subnet"),
    ({"udn": {"subnet": "100.88.0.0/20"}}, "user1", "udn.subnet", "transit subnet"),
    ({"udn": {"subnet": "169.254.0.0/24"}}, "user1", "udn.subnet", "masquerade subnet"),
    ({"udn": {"subnet": "100.0.0.0/8"}}, "user1", "udn.subnet", "100.64.0.0/16"),
    ({"udn": {"subnet": "10.128.4.0/24"}}, "user1", "udn.subnet", "cluster pod network"),
    ({"udn": {"subnet": "172.30.1.0/24"}}, "user1", "udn.subnet", "cluster service network"),
    (
        {"udn": {"subnet": "10.0.0.0/24"}, "clusterNetworks": {"pod": ["10.0.0.0/16"]}},
        "user1",
        "udn.subnet",
        "clusterNetworks.pod",
    ),
    ({"udn": {"subnet": "192.168.254.0/30"}}, "user1", "udn.subnet", "too small"),
    ({"udn": {"subnet": "fd98::/80"}}, "user1", "udn.subnet", "IPv6 join subnet"),
    ({"udn": {"name": "Primary UDN"}}, "user1", "udn.name", "DNS-1123 label"),
    ({"udn": {"subnets": ["10.0.0.0/24"]}}, "user1", "udn.subnets", "allowed fields: name, subnet"),
    ({"udn": "[1, 2]"}, "user1", "udn", "must be an object"),
    ({"flatNetwork": {"vlan": 0}}, "user1", "flatNetwork.vlan", "from 1 to 4094"),
    ({"flatNetwork": {"vlan": 4095}}, "user1", "flatNetwork.vlan", "from 1 to 4094"),
    ({"flatNetwork": {"vlan": True}}, "user1", "flatNetwork.vlan", "from 1 to 4094"),
    ({"flatNetwork": {"vlan": "ten"}}, "user1", "flatNetwork.vlan", "from 1 to 4094"),
    ({"flatNetwork": {"bridge": "br-flat-network-1"}}, "user1", "flatNetwork.bridge", "1 to 15"),
    ({"flatNetwork": {"bridge": "br/flat"}}, "user1", "flatNetwork.bridge", "no '/'"),
    ({"flatNetwork": {"cniType": "ovs"}}, "user1", "flatNetwork.cniType", "bridge, cnv-bridge"),
    ({"role": "cluster"}, "cluster", "bridge.nic", "is required for role cluster"),
    (
        {"role": "cluster", "bridge": {"nic": "enp3s0", "name": "a-very-long-bridge"}},
        "cluster",
        "bridge.name",
        "1 to 15",
    ),
    ({"role": "cluster", "bridge": {"nic": "enp3s0", "name": "enp3s0"}}, "cluster", "bridge.name", "must differ"),
    ({"role": "cluster", "bridge": {"nic": "enp3s0", "maxUnavailable": 0}}, "cluster", "bridge.maxUnavailable", "1"),
    (
        {"role": "cluster", "bridge": {"nic": "enp3s0", "maxUnavailable": "150%"}},
        "cluster",
        "bridge.maxUnavailable",
        "1%-100%",
    ),
    (
        {"role": "cluster", "bridge": {"nic": "enp3s0", "nodeSelector": {"bad key!": ""}}},
        "cluster",
        "bridge.nodeSelector",
        "not a valid label key",
    ),
    ({"role": "cluster", "bridge": {"nic": "enp3s0", "state": "down"}}, "cluster", "bridge.state", "up, absent"),
    (
        {"role": "cluster", "bridge": {"nic": "enp3s0"}, "globalNetwork": {"enabled": True, "vlan": 5000}},
        "cluster",
        "globalNetwork.vlan",
        "from 1 to 4094",
    ),
    ({"role": "cluster", "bridge": {"nic": "enp3s0"}, "udn": {}}, "cluster", "udn", "not used by role 'cluster'"),
    ({"bridge": {"nic": "enp3s0"}}, "user1", "bridge", "not used by role 'attendee'"),
    ({"udnn": {"subnet": "10.0.0.0/24"}}, "user1", "udnn", "unknown key"),
    ({"vm": {"memory": "lots"}}, "user1", "vm.memory", "quantity"),
    ({"vm": {"diskSize": "0Gi"}}, "user1", "vm.diskSize", "positive"),
    ({"vm": {"cores": 0}}, "user1", "vm.cores", "from 1 to 64"),
    ({"vm": {"runStrategy": "Running"}}, "user1", "vm.runStrategy", "Always, RerunOnFailure, Manual, Halted"),
    ({"vm": {"storageClass": "Fast_SSD"}}, "user1", "vm.storageClass", "DNS-1123 subdomain"),
    ({"waitForVms": "maybe"}, "user1", "waitForVms", "true or false"),
    ({"createProjectNamespace": "yes"}, "user1", "createProjectNamespace", "true or false"),
    ({"guestUser": "root"}, "user1", "guestUser", "other than root"),
    ({"guestUser": "Fedora User"}, "user1", "guestUser", "Linux user name"),
    ({"sshPublicKey": "not a key"}, "user1", "sshPublicKey", "OpenSSH public key"),
    ({"consoleUrl": "http://console.example.com"}, "user1", "consoleUrl", "https URL"),
    ({"clusterNetworks": {"pod": ["10.128.0.0/33"]}}, "user1", "clusterNetworks.pod[0]", "CIDR"),
]


@pytest.mark.parametrize(
    ("values", "stack", "key", "allowed"), BAD_INPUT, ids=[f"{c[2]}-{i}" for i, c in enumerate(BAD_INPUT)]
)
def test_bad_input_names_the_key_and_what_is_allowed(values, stack, key, allowed):
    message = problems_of(values, stack)
    assert f"{PROJECT}:{key}:" in message
    assert allowed in message


def test_plaintext_password_is_refused_without_echoing_it():
    message = problems_of({"password": "hunter2-hunter2"})
    assert f"{PROJECT}:password:" in message and "--secret" in message
    assert "hunter2" not in message


def test_short_secret_password_is_refused_without_echoing_it():
    message = problems_of({"password": "short"}, secret_keys=frozenset({"password"}))
    assert "8 to 128 characters" in message and "short" not in message.split("password:")[1].split("(")[0]


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        parse_settings({"stage": "x", "udn": {"subnet": "100.64.0.0/24"}, "flatNetwork": {"vlan": 0}}, "user1")
    keys = {problem.split(": ")[0] for problem in caught.value.problems}
    assert keys == {f"{PROJECT}:stage", f"{PROJECT}:udn.subnet", f"{PROJECT}:flatNetwork.vlan"}


def test_bad_config_registers_no_resource(run_program):
    with pytest.raises(ConfigError, match=r"udn\.subnet"):
        run_program({"udn": {"subnet": "100.64.0.0/24"}})
    assert run_program.monitor is not None, "the program did not run"
    assert run_program.monitor.registered == []


def test_bad_cluster_config_registers_no_resource(run_program):
    with pytest.raises(ConfigError, match=r"bridge\.nic"):
        run_program({"role": "cluster"}, stack="cluster")
    assert run_program.monitor.registered == []


def test_project_file_declares_every_scalar_key_with_the_programs_default():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == PROJECT and project["stackConfigDir"] == "stacks"
    declared = project["config"]
    defaults = parse_settings({}, "user1")
    expected = {
        "role": "attendee",
        "stage": defaults.stage,
        "waitForVms": defaults.vm.wait_ready,
        "createProjectNamespace": defaults.create_project_namespace,
        "guestUser": defaults.guest.user,
    }
    for key, value in expected.items():
        assert declared[key]["default"] == value, key
    for key, declaration in declared.items():
        assert declaration.get("description"), key
        assert declaration["type"] in ("string", "boolean", "integer"), key
    # Declared defaults are handed to the program as config; they must all be accepted as "unset".
    as_config = {key: declaration["default"] for key, declaration in declared.items()}
    assert parse_settings(as_config, "user1") == defaults
