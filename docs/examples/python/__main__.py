"""Hardened GCP workers for Kestra, built from Python with the pulumi-hardening components.

`pulumi package add ../../../plugin` generates the `pulumi_hardening` SDK used here (see README.md).
"""
import pulumi
import pulumi_hardening as hardening

config = pulumi.Config()
region = config.get("region") or "europe-west1"

# Every field left out takes the strictest setting: metadata blocked, no host identity, sandbox runtime,
# 24 h lifetime. Here the subnet may reach two destinations, through a DNS allow-list.
spec = hardening.HardeningSpecArgs(
    workload_subnet=hardening.WorkloadSubnetMode.PRIVATE,
    egress=hardening.EgressSpecArgs(
        mode=hardening.EgressMode.ALLOW_LIST,
        tier=hardening.EgressTier.DNS,
        allow=[
            hardening.EgressRuleArgs(domain="pypi.org", ports=[443], description="Python packages"),
            hardening.EgressRuleArgs(domain="files.pythonhosted.org", ports=[443], description="Python package files"),
        ],
    ),
)

network = hardening.GcpWorkerNetwork(
    "kestra",
    region=region,
    network_cidr="10.42.0.0/16",
    hardening=spec,
)

# GCE has no sandbox runtime: VM workers say so in their controls report (`gcp-vm-sandbox-runtime`, not effective).
workers = hardening.GcpWorkerPool(
    "kestra",
    region=region,
    subnetwork_id=network.workload_subnet_ids[0],
    network_tag=network.worker_tag,
    min_replicas=1,
    max_replicas=3,
    hardening=spec,
)

pulumi.export("networkId", network.network_id)
pulumi.export("instanceGroup", workers.instance_group)
# What each control stops, and the ones GCP does not enforce, as the components report them.
pulumi.export("controls", pulumi.Output.all(network.controls, workers.controls).apply(lambda c: c[0] + c[1]))
