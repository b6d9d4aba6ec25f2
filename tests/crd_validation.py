"""Validates objects against upstream CRDs the way an API server would: structural schema, then CEL rules.

- Schema: OpenAPI v3 turned into JSON Schema (int-or-string, nullable), unknown fields rejected the way
  strict field validation does, defaults applied before the CEL rules run.
- CEL: cel-python, plus the Kubernetes CEL library functions the CRDs here use (IP and CIDR, the
  `format` library's qualifiedName). Transition rules (`oldSelf`) run only when an old object is given.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import celpy
import jsonschema
import yaml
from celpy import celtypes


@dataclass(frozen=True)
class Crd:
    group: str
    kind: str
    scope: str
    versions: dict[str, dict[str, Any]]  # version name -> openAPIV3Schema

    def schema(self, api_version: str) -> dict[str, Any]:
        group, _, version = api_version.rpartition("/")
        assert group == self.group, f"{api_version} is not in group {self.group}"
        return self.versions[version]


def load_crds(directory: Path) -> dict[tuple[str, str], Crd]:
    """(group, kind) -> CRD, from every .yaml/.json CRD file directly in `directory`."""
    return {
        (crd.group, crd.kind): crd
        for path in sorted(directory.iterdir())
        if path.is_file() and path.suffix in (".yaml", ".json")
        for crd in crds_in(path)
    }


def crds_in(path: Path) -> Iterator[Crd]:
    for document in yaml.safe_load_all(path.read_text()):
        if document and document.get("kind") == "CustomResourceDefinition":
            spec = document["spec"]
            yield Crd(
                group=spec["group"],
                kind=spec["names"]["kind"],
                scope=spec["scope"],
                versions={v["name"]: v["schema"]["openAPIV3Schema"] for v in spec["versions"] if v.get("served")},
            )


# ---------------------------------------------------------------- structural schema -> JSON Schema


def to_json_schema(node: dict[str, Any], *, top: bool = True) -> dict[str, Any]:
    """OpenAPI v3 (Kubernetes flavour) to JSON Schema draft 7, strict about unknown fields."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("description", "x-kubernetes-validations", "default", "example") or key.startswith("x-kubernetes"):
            continue
        if key == "properties":
            out["properties"] = {name: to_json_schema(sub, top=False) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = to_json_schema(value, top=False)
        elif key in ("anyOf", "allOf", "oneOf"):
            out[key] = [to_json_schema(sub, top=False) for sub in value]
        elif key == "not":
            out[key] = to_json_schema(value, top=False)
        elif key == "nullable":
            continue
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("anyOf", None)
        out["type"] = ["integer", "string"]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
    if (
        node.get("type") == "object"
        and "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        # The API server drops (or, with strict field validation, refuses) unknown fields.
        out["additionalProperties"] = False
    if top and "metadata" in out.get("properties", {}):
        out["properties"]["metadata"] = {"type": "object"}
    return out


def apply_defaults(value: Any, schema: dict[str, Any]) -> Any:
    """Structural defaulting, as the API server does before validation."""
    if isinstance(value, dict) and "properties" in schema:
        for name, sub in schema["properties"].items():
            if name not in value and "default" in sub:
                value[name] = copy.deepcopy(sub["default"])
            if name in value:
                value[name] = apply_defaults(value[name], sub)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [apply_defaults(item, schema["items"]) for item in value]
    return value


# ---------------------------------------------------------------- Kubernetes CEL library (subset)


class CelIP:
    def __init__(self, address):
        self.address = address

    def __eq__(self, other):
        return isinstance(other, CelIP) and self.address == other.address

    def __hash__(self):
        return hash(self.address)


class CelCIDR:
    def __init__(self, interface):
        self.interface = interface  # keeps the address as written, like Kubernetes' cidr()

    def __eq__(self, other):
        return isinstance(other, CelCIDR) and self.interface == other.interface

    def __hash__(self):
        return hash(self.interface)


class CelFormat:
    """The `format` variable of the Kubernetes format library."""


class QualifiedNameFormat:
    pattern = re.compile(
        r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
        r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
    )

    def validate(self, value: str) -> list[str]:
        prefix, _, name = value.rpartition("/")
        if len(name) > 63 or len(prefix) > 253 or not self.pattern.match(value):
            return [f"{value!r} is not a qualified name"]
        return []


class CelOptional:
    def __init__(self, value):
        self.value = value


def _parse_ip(text: str):
    # Kubernetes refuses zones and IPv4-mapped IPv6 in isIP/ip(); ipaddress refuses leading zeros.
    if "%" in text:
        raise ValueError("zone not allowed")
    address = ipaddress.ip_address(text)
    if address.version == 6 and address.ipv4_mapped is not None:
        raise ValueError("IPv4-mapped IPv6 not allowed")
    return address


def _parse_cidr(text: str):
    if "/" not in text:
        raise ValueError("no prefix length")
    address, _, prefix = text.partition("/")
    _parse_ip(address)
    if not prefix.isdigit() or (len(prefix) > 1 and prefix.startswith("0")):
        raise ValueError("bad prefix length")
    return ipaddress.ip_interface(text)


def _is(parser, value) -> celtypes.BoolType:
    try:
        parser(str(value))
        return celtypes.BoolType(True)
    except ValueError:
        return celtypes.BoolType(False)


def _ip(value):
    if isinstance(value, CelCIDR):
        return CelIP(value.interface.ip)
    return CelIP(_parse_ip(str(value)))


def _family(value):
    address = value.address if isinstance(value, CelIP) else value.interface.ip
    return celtypes.IntType(address.version)


def _contains_ip(cidr: CelCIDR, other):
    address = other.address if isinstance(other, CelIP) else _parse_ip(str(other))
    return celtypes.BoolType(address.version == cidr.interface.version and address in cidr.interface.network)


def _contains_cidr(cidr: CelCIDR, other):
    network = (other.interface if isinstance(other, CelCIDR) else _parse_cidr(str(other))).network
    return celtypes.BoolType(network.version == cidr.interface.version and network.subnet_of(cidr.interface.network))


def _masked(cidr: CelCIDR):
    return CelCIDR(ipaddress.ip_interface(str(cidr.interface.network)))


def _validate(fmt, value):
    problems = fmt.validate(str(value))
    return CelOptional(celtypes.ListType([celtypes.StringType(p) for p in problems]) if problems else None)


CEL_FUNCTIONS = {
    "isIP": lambda value: _is(_parse_ip, value),
    "isCIDR": lambda value: _is(_parse_cidr, value),
    "ip": _ip,
    "cidr": lambda value: CelCIDR(_parse_cidr(str(value))),
    "family": _family,
    "containsIP": _contains_ip,
    "containsCIDR": _contains_cidr,
    "masked": _masked,
    "prefixLength": lambda cidr: celtypes.IntType(cidr.interface.network.prefixlen),
    "qualifiedName": lambda _fmt: QualifiedNameFormat(),
    "validate": _validate,
    "hasValue": lambda optional: celtypes.BoolType(optional.value is not None),
}

_ENVIRONMENT = celpy.Environment()
_PROGRAMS: dict[str, Any] = {}


def evaluate_rule(rule: str, self_value: Any, old_value: Any = None) -> bool:
    if rule not in _PROGRAMS:
        _PROGRAMS[rule] = _ENVIRONMENT.program(_ENVIRONMENT.compile(rule), functions=CEL_FUNCTIONS)
    activation = {"self": celpy.json_to_cel(self_value), "format": CelFormat()}
    if old_value is not None:
        activation["oldSelf"] = celpy.json_to_cel(old_value)
    result = _PROGRAMS[rule].evaluate(activation)
    if isinstance(result, Exception):
        raise result
    return bool(result)


def cel_violations(value: Any, schema: dict[str, Any], path: str = "", old: Any = None) -> list[str]:
    """Every x-kubernetes-validations rule that fails, as 'path: message'."""
    violations: list[str] = []
    for validation in schema.get("x-kubernetes-validations", []):
        rule = validation["rule"]
        is_transition = "oldSelf" in rule
        if is_transition and old is None:
            continue  # transition rules apply to updates only
        if not evaluate_rule(rule, value, old if is_transition else None):
            violations.append(f"{path or '<root>'}: {validation.get('message', rule)}")
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                old_sub = old.get(name) if isinstance(old, dict) else None
                violations += cel_violations(value[name], sub, f"{path}.{name}", old_sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name, item in value.items():
                violations += cel_violations(item, extra, f"{path}.{name}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            violations += cel_violations(item, schema["items"], f"{path}[{index}]")
    return violations


def validate(obj: dict[str, Any], crd: Crd, old: dict[str, Any] | None = None) -> list[str]:
    """All problems an API server would report for `obj` (empty when it would accept it)."""
    schema = crd.schema(obj["apiVersion"])
    obj = apply_defaults(json.loads(json.dumps(obj)), schema)
    problems = [
        f"{'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in jsonschema.Draft7Validator(to_json_schema(schema)).iter_errors(obj)
    ]
    if crd.scope == "Namespaced" and not obj.get("metadata", {}).get("namespace"):
        problems.append("metadata.namespace: required for a namespaced kind")
    if crd.scope == "Cluster" and obj.get("metadata", {}).get("namespace"):
        problems.append("metadata.namespace: must be empty for a cluster-scoped kind")
    if not problems:
        problems += cel_violations(obj, schema, old=old)
    return problems
