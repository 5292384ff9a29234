# dockwright's rollout arithmetic for its playbooks (deploy, promote,
# rollback, converge), in one place where it can be tested
# (ansible/playbooks_test.go runs each filter through Ansible).
from __future__ import annotations

import math

from ansible.errors import AnsibleFilterError

DOCUMENTATION = """
  name: dockwright
  short_description: rollout plans and rollback targets for dockwright's playbooks
"""


def _count_or_percent(value, total, what, examples, least):
    """value is a count ("2") or a percentage of total ("50%", rounded up);
    a count below least, or a percentage out of (0, 100] (of [0, 100] when
    least is 0), is refused naming what it is for."""
    s = str(value if value is not None else least).strip() or str(least)
    try:
        if s.endswith("%"):
            pct = float(s[:-1])
            if pct < 0 or pct > 100 or (least > 0 and pct == 0):
                raise ValueError
            return max(least, math.ceil(total * pct / 100))
        n = int(s)
        if n < least:
            raise ValueError
        return n
    except ValueError:
        raise AnsibleFilterError(f"{what} {value!r}: want a count ({examples[0]}) or a percentage ({examples[1]})")


def _batch_size(batch, zone_size):
    """batch is a count (2) or a percentage of the zone ("50%"), at least 1."""
    return _count_or_percent(batch, zone_size, "batch", ("2", "50%"), 1)


def rollout_plan(hosts, zones, batch=1, by_zone=True, min_healthy=0):
    """The order and batches of a rollout.

    hosts: host names in inventory order; zones: the availability zone of
    each (same order; "" when unknown). With by_zone, every host of one zone
    (zones in name order) before the next, in batches of `batch` hosts
    within the zone; otherwise batches of `batch` over all hosts.

    Returns {order, serial (for the play's serial:), zone_last (hosts that
    end a zone), zones ({zone: [hosts]}), min_healthy (a count)}. Fails when
    min_healthy could never be kept: the rollout would have to stop before
    its first batch.
    """
    if len(hosts) != len(zones):
        raise AnsibleFilterError("rollout_plan: one zone per host")
    groups = {}
    if by_zone:
        for h, z in zip(hosts, zones):
            groups.setdefault(z or "", []).append(h)
        names = sorted(groups)
    else:
        groups[""] = list(hosts)
        names = [""]
    order, serial, zone_last = [], [], []
    for z in names:
        members = groups[z]
        size = _batch_size(batch, len(members))
        left = len(members)
        while left > 0:
            serial.append(min(size, left))
            left -= serial[-1]
        order.extend(members)
        zone_last.append(members[-1])
    need = min_healthy_count(min_healthy, len(hosts))
    biggest = max(serial, default=0)
    if hosts and len(hosts) - biggest < need:
        raise AnsibleFilterError(
            f"min_healthy {min_healthy} ({need} of {len(hosts)} hosts) cannot be kept while a batch of "
            f"{biggest} host(s) is out of the pool: lower min_healthy or the batch"
        )
    return {
        "order": order,
        "serial": serial or [1],
        "zone_last": zone_last if by_zone else [],
        "zones": {z: groups[z] for z in names} if by_zone else {},
        "min_healthy": need,
    }


def min_healthy_count(value, total):
    """min_healthy is a count (4) or a percentage of the hosts ("66%",
    rounded up), as AWS CodeDeploy's MinimumHealthyHosts."""
    return _count_or_percent(value, total, "min_healthy", ("4", "66%"), 0)


def rollback_target(current, host_builds, registry_builds):
    """The one build an environment rolls back to: the newest build older
    than `current` that every host still has, or that the registry still
    has. host_builds: one list of builds per host; registry_builds: the
    registry's builds. Returns 0 when there is none."""
    try:
        cur = int(current)
    except (TypeError, ValueError):
        raise AnsibleFilterError(f"rollback_target: current build {current!r} is not a build number")
    common = None
    for builds in host_builds:
        s = {int(b) for b in builds}
        common = s if common is None else common & s
    candidates = set(common or ()) | {int(b) for b in registry_builds}
    older = [b for b in candidates if b < cur]
    return max(older) if older else 0


def builds(images, repository):
    """{build: digest} of the REPOSITORY:BUILD tags among docker_host_info's
    verbose images; the digest is the image's REPOSITORY@sha256:... repo
    digest ("" when it has none, e.g. built here and never pushed)."""
    out = {}
    for image in images or []:
        digests = [d for d in image.get("RepoDigests") or [] if d.startswith(repository + "@")]
        for tag in image.get("RepoTags") or []:
            repo, _, build = tag.rpartition(":")
            if repo == repository and build.isdigit() and not build.startswith("0"):
                out[build] = digests[0] if digests else ""
    return out


def digest_on_hosts(host_builds, build):
    """The first digest any host has for build, from each host's builds()
    map; "" when none has it."""
    for b in host_builds or []:
        d = (b or {}).get(str(build), "")
        if d:
            return d
    return ""


class FilterModule:
    def filters(self):
        return {
            "dockwright_rollout_plan": rollout_plan,
            "dockwright_min_healthy": min_healthy_count,
            "dockwright_rollback_target": rollback_target,
            "dockwright_builds": builds,
            "dockwright_digest_on_hosts": digest_on_hosts,
        }
