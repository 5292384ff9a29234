// Package fleet builds a fleet of hosts on one machine, for the end-to-end
// test and make demo: each host is a Linux network namespace with its own
// address on a private /24, its own mount and UTS namespaces (/etc, /var,
// /home, /root, /opt and /usr/local as overlays of the machine's whose
// writes stay in the host's own layer in memory, a fresh /run and /tmp, its
// own /var/lib/docker on disk, the fleet's directory at /run/dwf, its own
// hostname), and, as asked, its own Docker Engine and its own
// sshd with key-only login for a deploy user who may sudo. Ansible reaches
// the hosts over SSH exactly as it reaches EC2 instances, with their host
// keys in a known_hosts file.
//
// The hosts share one Ethernet segment: a bridge inside a namespace of its
// own (the "switch"), so the machine's firewall, whose FORWARD policy
// Docker sets to DROP, never sees their traffic. The machine joins the
// segment at the subnet's .1 address; hosts have no route anywhere else,
// so their traffic stays between the fleet's addresses.
//
// Up records everything it makes in a state file and Down removes it: the
// processes (found through a cgroup per fleet, which the hosts' containers
// join too, so nothing escapes), mounts, namespaces and interfaces. Down
// also finds what a crashed Up left behind by the fleet's names, so calling
// it before Up and after a test is always safe.
//
// Everything here needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN); Available
// says why a machine cannot host a fleet.
package fleet
