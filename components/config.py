"""Stack configuration: every key read once, validated completely, frozen.

`parse_settings` is pure (a mapping of raw values in, settings out) so the whole interface can be tested
without Pulumi. `load_settings` reads the values from the running Pulumi program and calls it. Every problem
is collected and raised together as one `ConfigError`, before any resource is registered.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlparse

import pulumi

PROJECT = "ocp-virt-networking"

ROLE_ATTENDEE = "attendee"
ROLE_CLUSTER = "cluster"
STAGE_SOLVED = "solved"
STAGE_PREPARED = "prepared"

UDN_NAMESPACE_SUFFIX = "-udn"
PROJECT_NAMESPACE_PREFIX = "vmexamples-"

# Subnets OVN-Kubernetes keeps for itself (join, transit, masquerade), IPv4 and IPv6 defaults.
OVN_RESERVED_SUBNETS: tuple[tuple[str, str], ...] = (
    ("100.64.0.0/16", "OVN-Kubernetes join subnet"),
    ("100.88.0.0/16", "OVN-Kubernetes transit subnet"),
    ("169.254.0.0/17", "OVN-Kubernetes masquerade subnet"),
    ("fd98::/64", "OVN-Kubernetes IPv6 join subnet"),
    ("fd97::/64", "OVN-Kubernetes IPv6 transit subnet"),
    ("fd69::/112", "OVN-Kubernetes IPv6 masquerade subnet"),
)

# OpenShift installer defaults for the cluster network and the service network.
DEFAULT_POD_NETWORKS = ("10.128.0.0/14",)
DEFAULT_SERVICE_NETWORKS = ("172.30.0.0/16",)

DEFAULT_NODE_SELECTOR = {"node-role.kubernetes.io/worker": ""}
RUN_STRATEGIES = ("Always", "RerunOnFailure", "Manual", "Halted")
CNI_TYPES = ("bridge", "cnv-bridge")

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LINUX_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
MAX_UNAVAILABLE_PERCENT = re.compile(r"^([1-9][0-9]?|100)%$")
SSH_KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
MAX_INTERFACE_NAME = 15  # IFNAMSIZ - 1 on Linux
MIN_PASSWORD_LENGTH = 8


class ConfigError(pulumi.RunError):
    """One or more config values are invalid; the message lists each key with what is allowed."""

    def __init__(self, problems: list[str]):
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid stack configuration ({len(problems)} problem(s)):\n{lines}")


@dataclass(frozen=True, kw_only=True)
class BridgeSettings:
    """The Linux bridge NMState creates on the selected nodes (cluster stack)."""

    nic: str
    name: str = "br-flat"
    node_selector: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(dict(DEFAULT_NODE_SELECTOR)))
    max_unavailable: int | str = 1
    # NMState leaves a bridge on the nodes when its policy is deleted: `absent` removes it first.
    state: str = "up"


@dataclass(frozen=True, kw_only=True)
class FlatNetworkSettings:
    """A NetworkAttachmentDefinition on the node bridge: the attendee's, or the global one."""

    name: str = "flatnetwork"
    bridge: str = "br-flat"
    vlan: int | None = None
    cni_type: str = "bridge"


@dataclass(frozen=True, kw_only=True)
class GlobalNetworkSettings:
    """A flat network in `namespace` (default `default`) that publishes the bridge to every project."""

    network: FlatNetworkSettings
    namespace: str = "default"


@dataclass(frozen=True, kw_only=True)
class UdnSettings:
    """The primary UserDefinedNetwork of the attendee's UDN namespace."""

    name: str = "primary-udn"
    subnet: str = "192.168.254.0/24"


@dataclass(frozen=True, kw_only=True)
class VmSettings:
    """Size, image and lifecycle of every VM an attendee stack creates."""

    memory: str = "2048M"
    cores: int | None = None
    disk_size: str = "30Gi"
    data_source: str = "fedora"
    data_source_namespace: str = "openshift-virtualization-os-images"
    storage_class: str | None = None
    run_strategy: str = "Always"
    wait_ready: bool = True


@dataclass(frozen=True, kw_only=True)
class GuestSettings:
    """The guest login cloud-init creates; `password` None means "generate one per attendee"."""

    user: str = "fedora"
    password: str | None = None
    ssh_public_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class ClusterSettings:
    """Validated config of the `cluster` stack."""

    bridge: BridgeSettings
    global_network: GlobalNetworkSettings | None = None
    render_directory: str | None = None


@dataclass(frozen=True, kw_only=True)
class AttendeeSettings:
    """Validated config of one attendee stack."""

    attendee: str
    stage: str = STAGE_SOLVED
    flat_network: FlatNetworkSettings = FlatNetworkSettings()
    udn: UdnSettings = UdnSettings()
    vm: VmSettings = VmSettings()
    guest: GuestSettings = GuestSettings()
    create_project_namespace: bool = True
    console_url: str | None = None
    render_directory: str | None = None

    @property
    def project_namespace(self) -> str:
        return f"{PROJECT_NAMESPACE_PREFIX}{self.attendee}"

    @property
    def udn_namespace(self) -> str:
        return f"{self.project_namespace}{UDN_NAMESPACE_SUFFIX}"

    @property
    def solved(self) -> bool:
        return self.stage == STAGE_SOLVED


# Which keys each role reads; anything else in the project's namespace is a typo or a wrong stack.
SCALAR_KEYS = (
    "role",
    "attendee",
    "stage",
    "waitForVms",
    "createProjectNamespace",
    "consoleUrl",
    "renderDirectory",
    "guestUser",
    "password",
    "sshPublicKey",
)
OBJECT_KEYS = ("bridge", "globalNetwork", "flatNetwork", "udn", "vm", "clusterNetworks")
ATTENDEE_ONLY = ("attendee", "flatNetwork", "udn", "vm", "clusterNetworks", "consoleUrl", "password", "sshPublicKey")
CLUSTER_ONLY = ("bridge", "globalNetwork")
KNOWN_KEYS = SCALAR_KEYS + OBJECT_KEYS


class _Problems:
    """Collects validation problems so a user sees all of them at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(f"{PROJECT}:{key}: {message}")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _as_object(raw: Mapping[str, Any], key: str, fields: tuple[str, ...], problems: _Problems) -> dict:
    value = raw.get(key)
    if _blank(value):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            problems.add(key, f"must be an object with fields {', '.join(fields)}; got {value!r}")
            return {}
    if not isinstance(value, Mapping):
        problems.add(key, f"must be an object with fields {', '.join(fields)}; got {value!r}")
        return {}
    for unknown in sorted(set(value) - set(fields)):
        problems.add(f"{key}.{unknown}", f"unknown field; allowed fields: {', '.join(fields)}")
    return dict(value)


def _as_bool(value: Any, key: str, default: bool, problems: _Problems) -> bool:
    if _blank(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    problems.add(key, f"must be true or false; got {value!r}")
    return default


def _as_int(value: Any, key: str, problems: _Problems, low: int, high: int) -> int | None:
    """Integers only (YAML numbers or digit strings, as `pulumi config set --path` stores them)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems.add(key, f"must be an integer from {low} to {high}; got {value!r}")
        return None
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]+", value.strip()):
            problems.add(key, f"must be an integer from {low} to {high}; got {value!r}")
            return None
        value = int(value)
    if not low <= value <= high:
        problems.add(key, f"must be an integer from {low} to {high}; got {value}")
        return None
    return value


def _as_str(value: Any, key: str, default: str | None, problems: _Problems) -> str | None:
    if _blank(value):
        return default
    if not isinstance(value, str):
        problems.add(key, f"must be a string; got {value!r}")
        return default
    return value.strip()


def _check_choice(value: str, key: str, allowed: tuple[str, ...], problems: _Problems) -> None:
    if value not in allowed:
        problems.add(key, f"must be one of {', '.join(allowed)}; got {value!r}")


def _check_dns_label(value: str, key: str, problems: _Problems, max_length: int = 63) -> None:
    if len(value) > max_length or not DNS1123_LABEL.match(value):
        problems.add(
            key,
            f"must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter "
            f"or digit) of at most {max_length} characters; got {value!r}",
        )


def _check_interface_name(value: str, key: str, problems: _Problems) -> None:
    if (
        not value
        or len(value) > MAX_INTERFACE_NAME
        or value in (".", "..")
        or any(c in value for c in "/: \t\n")
        or not value.isascii()
    ):
        problems.add(
            key,
            f"must be a Linux interface name: 1 to {MAX_INTERFACE_NAME} ASCII characters, "
            f"no '/', ':' or whitespace; got {value!r}",
        )


def _check_vlan(value: Any, key: str, problems: _Problems) -> int | None:
    return None if _blank(value) else _as_int(value, key, problems, 1, 4094)


def _check_quantity(value: str, key: str, problems: _Problems) -> None:
    if not QUANTITY.match(value) or float(re.match(r"[0-9.]+", value).group()) <= 0:
        problems.add(key, f"must be a positive Kubernetes quantity such as 2048M, 2Gi or 30Gi; got {value!r}")


def _parse_network(value: str, key: str, problems: _Problems) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if "/" not in value:
        problems.add(
            key, f"must be a CIDR network address with a prefix length such as 192.168.254.0/24; got {value!r}"
        )
        return None
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError as error:
        hint = ""
        with contextlib.suppress(ValueError):
            hint = f" (did you mean {ipaddress.ip_network(value, strict=False)}?)"
        problems.add(key, f"must be a CIDR network address such as 192.168.254.0/24; got {value!r}: {error}{hint}")
        return None


def _parse_network_list(value: Any, key: str, default: tuple[str, ...], problems: _Problems) -> list:
    if value is None:
        value = list(default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.add(key, f"must be a list of CIDRs; got {value!r}")
        return []
    networks = []
    for index, item in enumerate(value):
        item_key = f"{key}[{index}]"
        if not isinstance(item, str):
            problems.add(item_key, f"must be a CIDR string; got {item!r}")
            continue
        network = _parse_network(item.strip(), item_key, problems)
        if network is not None:
            networks.append(network)
    return networks


def _parse_bridge(raw: Mapping[str, Any], problems: _Problems) -> BridgeSettings | None:
    fields = ("nic", "name", "nodeSelector", "maxUnavailable", "state")
    obj = _as_object(raw, "bridge", fields, problems)
    nic = _as_str(obj.get("nic"), "bridge.nic", None, problems)
    if nic is None:
        problems.add(
            "bridge.nic",
            "is required for role cluster: the spare NIC the bridge is built on (enp3s0 in the roadshow, "
            "enp1s0 elsewhere); set it with `pulumi config set --path bridge.nic enp3s0`",
        )
    else:
        _check_interface_name(nic, "bridge.nic", problems)
    name = _as_str(obj.get("name"), "bridge.name", BridgeSettings.name, problems)
    _check_interface_name(name, "bridge.name", problems)
    if nic is not None and nic == name:
        problems.add("bridge.name", f"must differ from bridge.nic (both are {nic!r})")

    node_selector = obj.get("nodeSelector", DEFAULT_NODE_SELECTOR)
    if not isinstance(node_selector, Mapping):
        problems.add("bridge.nodeSelector", f"must be an object of node label key/value pairs; got {node_selector!r}")
        node_selector = {}
    for label, label_value in node_selector.items():
        _check_label_key(label, "bridge.nodeSelector", problems)
        if not isinstance(label_value, str) or len(label_value) > 63 or not LABEL_VALUE.match(label_value):
            problems.add(
                f"bridge.nodeSelector.{label}", f"must be a label value of at most 63 characters; got {label_value!r}"
            )

    max_unavailable: int | str = BridgeSettings.max_unavailable
    raw_max = obj.get("maxUnavailable")
    if isinstance(raw_max, str) and raw_max.strip().endswith("%"):
        if MAX_UNAVAILABLE_PERCENT.match(raw_max.strip()):
            max_unavailable = raw_max.strip()
        else:
            problems.add("bridge.maxUnavailable", f"must be a node count >= 1 or a percentage 1%-100%; got {raw_max!r}")
    elif not _blank(raw_max):
        parsed = _as_int(raw_max, "bridge.maxUnavailable", problems, 1, 10_000)
        max_unavailable = parsed if parsed is not None else max_unavailable

    state = _as_str(obj.get("state"), "bridge.state", BridgeSettings.state, problems)
    _check_choice(state, "bridge.state", ("up", "absent"), problems)
    if nic is None:
        return None
    return BridgeSettings(
        nic=nic,
        name=name,
        node_selector=MappingProxyType(dict(node_selector)),
        max_unavailable=max_unavailable,
        state=state,
    )


def _check_label_key(label: Any, key: str, problems: _Problems) -> None:
    if not isinstance(label, str) or not label:
        problems.add(key, f"label keys must be non-empty strings; got {label!r}")
        return
    prefix, _, name = label.rpartition("/")
    if (prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix))) or (
        len(name) > 63 or not QUALIFIED_NAME.match(name)
    ):
        problems.add(key, f"{label!r} is not a valid label key ([prefix/]name, name at most 63 characters)")


def _parse_global_network(
    raw: Mapping[str, Any], bridge_name: str, problems: _Problems
) -> GlobalNetworkSettings | None:
    fields = ("enabled", "name", "namespace", "vlan", "cniType")
    obj = _as_object(raw, "globalNetwork", fields, problems)
    if not _as_bool(obj.get("enabled"), "globalNetwork.enabled", False, problems):
        return None
    namespace = _as_str(obj.get("namespace"), "globalNetwork.namespace", GlobalNetworkSettings.namespace, problems)
    _check_dns_label(namespace, "globalNetwork.namespace", problems)
    return GlobalNetworkSettings(
        network=_flat_network_fields(obj, "globalNetwork", bridge_name, problems), namespace=namespace
    )


def _parse_flat_network(raw: Mapping[str, Any], problems: _Problems) -> FlatNetworkSettings:
    obj = _as_object(raw, "flatNetwork", ("name", "bridge", "vlan", "cniType"), problems)
    bridge = _as_str(obj.get("bridge"), "flatNetwork.bridge", FlatNetworkSettings.bridge, problems)
    _check_interface_name(bridge, "flatNetwork.bridge", problems)
    return _flat_network_fields(obj, "flatNetwork", bridge, problems)


def _flat_network_fields(obj: Mapping[str, Any], key: str, bridge: str, problems: _Problems) -> FlatNetworkSettings:
    """The fields a flat network object shares wherever it is configured: name, vlan, cniType."""
    name = _as_str(obj.get("name"), f"{key}.name", FlatNetworkSettings.name, problems)
    _check_dns_label(name, f"{key}.name", problems)
    cni_type = _as_str(obj.get("cniType"), f"{key}.cniType", FlatNetworkSettings.cni_type, problems)
    _check_choice(cni_type, f"{key}.cniType", CNI_TYPES, problems)
    return FlatNetworkSettings(
        name=name, bridge=bridge, vlan=_check_vlan(obj.get("vlan"), f"{key}.vlan", problems), cni_type=cni_type
    )


def _parse_udn(raw: Mapping[str, Any], problems: _Problems) -> UdnSettings:
    obj = _as_object(raw, "udn", ("name", "subnet"), problems)
    name = _as_str(obj.get("name"), "udn.name", UdnSettings.name, problems)
    _check_dns_label(name, "udn.name", problems)
    subnet = _as_str(obj.get("subnet"), "udn.subnet", UdnSettings.subnet, problems)
    cluster_networks = _parse_cluster_networks(raw, problems)
    network = _parse_network(subnet, "udn.subnet", problems)
    if network is not None:
        _check_udn_subnet(network, cluster_networks, problems)
    return UdnSettings(name=name, subnet=subnet)


def _parse_cluster_networks(raw: Mapping[str, Any], problems: _Problems) -> list[tuple[Any, str]]:
    obj = _as_object(raw, "clusterNetworks", ("pod", "service"), problems)
    pods = _parse_network_list(obj.get("pod"), "clusterNetworks.pod", DEFAULT_POD_NETWORKS, problems)
    services = _parse_network_list(obj.get("service"), "clusterNetworks.service", DEFAULT_SERVICE_NETWORKS, problems)
    return [(n, "the cluster pod network (clusterNetworks.pod)") for n in pods] + [
        (n, "the cluster service network (clusterNetworks.service)") for n in services
    ]


def _check_udn_subnet(network, cluster_networks: list[tuple[Any, str]], problems: _Problems) -> None:
    min_addresses = 8  # OVN-Kubernetes takes the gateway and management addresses of a Layer2 subnet
    if network.num_addresses < min_addresses:
        problems.add("udn.subnet", f"{network} is too small: at least /{network.max_prefixlen - 3} is needed")
    reserved = [(ipaddress.ip_network(cidr), why) for cidr, why in OVN_RESERVED_SUBNETS] + cluster_networks
    for other, why in reserved:
        if other.version == network.version and network.overlaps(other):
            problems.add(
                "udn.subnet",
                f"{network} overlaps {other} ({why}); allowed: a subnet outside "
                + ", ".join(str(n) for n, _ in reserved if n.version == network.version),
            )


def _parse_vm(raw: Mapping[str, Any], problems: _Problems) -> VmSettings:
    fields = (
        "memory",
        "cores",
        "diskSize",
        "dataSource",
        "dataSourceNamespace",
        "storageClass",
        "runStrategy",
    )
    obj = _as_object(raw, "vm", fields, problems)
    memory = _as_str(obj.get("memory"), "vm.memory", VmSettings.memory, problems)
    _check_quantity(memory, "vm.memory", problems)
    disk_size = _as_str(obj.get("diskSize"), "vm.diskSize", VmSettings.disk_size, problems)
    _check_quantity(disk_size, "vm.diskSize", problems)
    cores = None if _blank(obj.get("cores")) else _as_int(obj.get("cores"), "vm.cores", problems, 1, 64)
    data_source = _as_str(obj.get("dataSource"), "vm.dataSource", VmSettings.data_source, problems)
    _check_dns_label(data_source, "vm.dataSource", problems, max_length=253)
    data_source_namespace = _as_str(
        obj.get("dataSourceNamespace"), "vm.dataSourceNamespace", VmSettings.data_source_namespace, problems
    )
    _check_dns_label(data_source_namespace, "vm.dataSourceNamespace", problems)
    storage_class = _as_str(obj.get("storageClass"), "vm.storageClass", None, problems)
    if storage_class is not None and (len(storage_class) > 253 or not DNS1123_SUBDOMAIN.match(storage_class)):
        problems.add("vm.storageClass", f"must be a StorageClass name (DNS-1123 subdomain); got {storage_class!r}")
    run_strategy = _as_str(obj.get("runStrategy"), "vm.runStrategy", VmSettings.run_strategy, problems)
    _check_choice(run_strategy, "vm.runStrategy", RUN_STRATEGIES, problems)
    wait = _as_bool(raw.get("waitForVms"), "waitForVms", True, problems)
    return VmSettings(
        memory=memory,
        cores=cores,
        disk_size=disk_size,
        data_source=data_source,
        data_source_namespace=data_source_namespace,
        storage_class=storage_class,
        run_strategy=run_strategy,
        # A VM that is not running never becomes Ready: waiting for it would hang `pulumi up`.
        wait_ready=wait and run_strategy in ("Always", "RerunOnFailure"),
    )


def _parse_guest(raw: Mapping[str, Any], secret_keys: frozenset[str], problems: _Problems) -> GuestSettings:
    user = _as_str(raw.get("guestUser"), "guestUser", GuestSettings.user, problems)
    if not LINUX_USER.match(user) or user == "root":
        problems.add(
            "guestUser", f"must be a Linux user name other than root (^[a-z_][a-z0-9_-]{{0,31}}$); got {user!r}"
        )
    password = raw.get("password")
    if _blank(password):
        password = None
    elif "password" not in secret_keys:
        # Never echo the value: it was meant to be secret.
        problems.add("password", "must be set as a secret: `pulumi config set --secret password <value>`")
        password = None
    elif not isinstance(password, str) or not MIN_PASSWORD_LENGTH <= len(password) <= 128:
        problems.add("password", f"must be {MIN_PASSWORD_LENGTH} to 128 characters (value not shown)")
        password = None
    elif any(ord(c) < 32 or ord(c) == 127 for c in password):
        problems.add("password", "must not contain control characters or line breaks (value not shown)")
        password = None
    ssh_key = _as_str(raw.get("sshPublicKey"), "sshPublicKey", None, problems)
    if ssh_key is not None:
        parts = ssh_key.split()
        if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES or not re.fullmatch(r"[A-Za-z0-9+/]+=*", parts[1]):
            problems.add(
                "sshPublicKey",
                f"must be one OpenSSH public key line '<type> <base64> [comment]' with type one of "
                f"{', '.join(SSH_KEY_TYPES)}",
            )
    return GuestSettings(user=user, password=password, ssh_public_key=ssh_key)


def _parse_console_url(raw: Mapping[str, Any], problems: _Problems) -> str | None:
    url = _as_str(raw.get("consoleUrl"), "consoleUrl", None, problems)
    if url is None:
        return None
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.netloc or parsed.query or parsed.fragment:
        problems.add(
            "consoleUrl",
            f"must be the https URL of the OpenShift console, e.g. https://console-openshift-console.apps.example.com;"
            f" got {url!r}",
        )
        return None
    return url.rstrip("/")


def _check_keys_for_role(raw: Mapping[str, Any], role: str, problems: _Problems) -> None:
    for key in sorted(raw):
        if key not in KNOWN_KEYS:
            problems.add(key, f"unknown key; known keys: {', '.join(KNOWN_KEYS)}")
    wrong = CLUSTER_ONLY if role == ROLE_ATTENDEE else ATTENDEE_ONLY
    for key in wrong:
        if not _blank(raw.get(key)):
            problems.add(key, f"is not used by role {role!r}; it belongs to role {_other_role(role)!r} stacks")


def _other_role(role: str) -> str:
    return ROLE_CLUSTER if role == ROLE_ATTENDEE else ROLE_ATTENDEE


def parse_settings(
    raw: Mapping[str, Any], stack: str, secret_keys: frozenset[str] = frozenset()
) -> ClusterSettings | AttendeeSettings:
    """Validates raw config values (key without project prefix -> value) for `stack`.

    Object keys may be given as mappings or as JSON text (how Pulumi hands them to a program).
    Raises ConfigError listing every problem; returns frozen settings otherwise.
    """
    problems = _Problems()
    role = _as_str(raw.get("role"), "role", ROLE_ATTENDEE, problems)
    if role not in (ROLE_ATTENDEE, ROLE_CLUSTER):
        _check_choice(role, "role", (ROLE_ATTENDEE, ROLE_CLUSTER), problems)
        raise ConfigError(problems.items)
    _check_keys_for_role(raw, role, problems)
    render_directory = _as_str(raw.get("renderDirectory"), "renderDirectory", None, problems)

    if role == ROLE_CLUSTER:
        bridge = _parse_bridge(raw, problems)
        global_network = _parse_global_network(raw, bridge.name if bridge else BridgeSettings.name, problems)
        if problems.items:
            raise ConfigError(problems.items)
        return ClusterSettings(bridge=bridge, global_network=global_network, render_directory=render_directory)

    # One stack = one attendee: the stack name is the natural default.
    attendee = _as_str(raw.get("attendee"), "attendee", stack, problems)
    max_attendee = 63 - len(PROJECT_NAMESPACE_PREFIX) - len(UDN_NAMESPACE_SUFFIX)
    _check_dns_label(attendee, "attendee", problems, max_length=max_attendee)
    stage = _as_str(raw.get("stage"), "stage", STAGE_SOLVED, problems)
    _check_choice(stage, "stage", (STAGE_SOLVED, STAGE_PREPARED), problems)
    settings = AttendeeSettings(
        attendee=attendee,
        stage=stage,
        flat_network=_parse_flat_network(raw, problems),
        udn=_parse_udn(raw, problems),
        vm=_parse_vm(raw, problems),
        guest=_parse_guest(raw, secret_keys, problems),
        create_project_namespace=_as_bool(raw.get("createProjectNamespace"), "createProjectNamespace", True, problems),
        console_url=_parse_console_url(raw, problems),
        render_directory=render_directory,
    )
    if problems.items:
        raise ConfigError(problems.items)
    return settings


def load_settings() -> ClusterSettings | AttendeeSettings:
    """Reads every key of the project's namespace from the running program and validates it."""
    runtime_config = pulumi.runtime.config
    prefix = f"{PROJECT}:"
    # The CLI hands config to the program in the environment; tests and the Automation API set it in-process.
    all_config = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    env_secret_keys = set(runtime_config.get_config_secret_keys_env())
    raw = {key.removeprefix(prefix): value for key, value in all_config.items() if key.startswith(prefix)}
    secret_keys = frozenset(
        key for key in raw if f"{prefix}{key}" in env_secret_keys or runtime_config.is_config_secret(f"{prefix}{key}")
    )
    return parse_settings(raw, pulumi.get_stack(), secret_keys)
