//! Several throwaway `dockerd`s, each in a network namespace of its own,
//! on one bridge: the hosts of a multi-node swarm on one machine.
//!
//! The bridge lives in a namespace of its own too (the cluster's "switch"),
//! not on the host: the machine's engine loads `br_netfilter` and sets the
//! host's iptables FORWARD policy to DROP, which would drop every frame
//! between two nodes on a host bridge. A fresh namespace has empty tables,
//! so the cluster needs no change to the host's firewall, and nothing it
//! sends can leave the switch. Addresses come from the benchmarking range
//! (198.19.0.0/16 here), which no outside network uses.

use std::process::Command;

use crate::daemon::{DaemonOptions, ThrowawayDaemon, fnv, ip};
use crate::{BoxError, unique_name};

/// One host of a [`Cluster`].
#[derive(Debug)]
pub struct ClusterNode {
    /// The node's daemon (its socket is on the shared filesystem).
    pub daemon: ThrowawayDaemon,
    /// The node's address on the cluster's bridge.
    pub addr: String,
    /// The network namespace it runs in (`/var/run/netns/<name>`).
    pub netns: String,
}

/// Hosts in network namespaces on one bridge; dropping it stops every
/// daemon, then deletes the namespaces and the bridge.
#[derive(Debug)]
pub struct Cluster {
    /// The hosts, in the order they were started (declared first: fields
    /// drop in order, and daemons must stop before their network goes).
    pub nodes: Vec<ClusterNode>,
    _network: NetworkGuard,
}

/// The namespaces of the hosts and of the switch; deleting a namespace
/// deletes its end of each veth, and the switch's bridge with it.
#[derive(Debug)]
struct NetworkGuard {
    namespaces: Vec<String>,
}

impl Drop for NetworkGuard {
    fn drop(&mut self) {
        for netns in &self.namespaces {
            if let Err(e) = ip(&["netns", "del", netns]) {
                eprintln!("cluster: {e}");
            }
        }
    }
}

impl Cluster {
    /// Starts `size` daemons, each in its own namespace, all answering.
    pub fn start(size: usize) -> Result<Self, BoxError> {
        let name = unique_name("dsc");
        let tag = fnv(&name);
        let subnet = (tag % 250) + 2;
        let switch = format!("dsc{tag:08x}sw");
        ip(&["netns", "add", &switch])?;
        let mut network = NetworkGuard {
            namespaces: vec![switch.clone()],
        };
        in_netns(&switch, &["link", "add", "br0", "type", "bridge"])?;
        in_netns(&switch, &["link", "set", "br0", "up"])?;
        let mut hosts = Vec::new();
        for index in 0..size {
            let netns = format!("dsc{tag:08x}n{index}");
            ip(&["netns", "add", &netns])?;
            network.namespaces.push(netns.clone());
            let port = format!("port{index}");
            ip(&[
                "link", "add", &port, "netns", &switch, "type", "veth", "peer", "name", "eth0", "netns",
                &netns,
            ])?;
            in_netns(&switch, &["link", "set", &port, "master", "br0"])?;
            in_netns(&switch, &["link", "set", &port, "up"])?;
            let addr = format!("198.19.{subnet}.{}", 10 + index);
            in_netns(&netns, &["addr", "add", &format!("{addr}/24"), "dev", "eth0"])?;
            in_netns(&netns, &["link", "set", "eth0", "up"])?;
            in_netns(&netns, &["link", "set", "lo", "up"])?;
            hosts.push((netns, addr));
        }
        let mut nodes = Vec::new();
        for (netns, addr) in hosts {
            let daemon = ThrowawayDaemon::start(DaemonOptions {
                netns: Some(netns.clone()),
                ..DaemonOptions::default()
            })?;
            nodes.push(ClusterNode { daemon, addr, netns });
        }
        Ok(Cluster {
            nodes,
            _network: network,
        })
    }
}

/// `ip -n NETNS …`: an `ip` command inside a namespace.
fn in_netns(netns: &str, args: &[&str]) -> Result<(), BoxError> {
    let out = Command::new("ip").arg("-n").arg(netns).args(args).output()?;
    if !out.status.success() {
        return Err(format!(
            "ip -n {netns} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(())
}
