"""ocp-virt-networking: the OpenShift Virtualization networking lab's end state, one stack per attendee."""

import pulumi
import pulumi_kubernetes as k8s

from components.bridge import BridgePolicy, BridgePolicyArgs
from components.common import AttendeeComponentArgs
from components.config import AttendeeSettings, load_settings
from components.credentials import GuestCredentials, GuestCredentialsArgs
from components.flat_network import FlatNetworkProject
from components.outputs import attendee_outputs
from components.udn import UdnNamespace

settings = load_settings()  # validates everything before the first resource is registered
stack = pulumi.get_stack()

provider_opts = None
if settings.render_directory:
    # An empty kubeconfig keeps the SDK from filling it in from $KUBECONFIG, which render mode refuses.
    provider = k8s.Provider("render", render_yaml_to_directory=settings.render_directory, kubeconfig="")
    provider_opts = pulumi.ResourceOptions(providers=[provider])

if isinstance(settings, AttendeeSettings):
    credentials = GuestCredentials("guest", GuestCredentialsArgs(guest=settings.guest), provider_opts)
    component_args = AttendeeComponentArgs(settings=settings, stack=stack, user_data=credentials.user_data)
    project = FlatNetworkProject("project", component_args, provider_opts)
    udn = UdnNamespace("udn", component_args, provider_opts)
    for key, value in attendee_outputs(settings, project, udn, credentials).items():
        pulumi.export(key, value)
else:
    bridge = BridgePolicy(
        "bridge",
        BridgePolicyArgs(bridge=settings.bridge, global_network=settings.global_network, stack=stack),
        provider_opts,
    )
    pulumi.export("bridgePolicy", bridge.policy_name)
    pulumi.export("bridge", bridge.bridge_name)
    pulumi.export("nic", settings.bridge.nic)
    pulumi.export("globalNetwork", bridge.global_network)
