//! A wide-area network on one machine, for the WAN test: each validator
//! and the client in a Linux network namespace of its own, joined by veth
//! links to a bridge; every connection to a validator passes through a
//! relay on the bridge that delays each direction by the one-way delay
//! between the two places, with jitter and packet loss.
//!
//! The relay stands in for `tc netem`, which this kernel lacks: it knows
//! the sender by its address, holds each chunk of bytes for the link's
//! delay (never reordering: TCP would not), and turns a lost packet into
//! what TCP makes of it, the rest of the stream waiting one round trip
//! for the retransmission. Partitions cut a validator's link to the
//! bridge (`ip link set … down`).
//!
//! Needs root (namespaces, links); the test that uses it is run by
//! `scripts/wan.sh`.

use std::{
    io::{Read, Write},
    net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream},
    process::Command,
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc, Arc,
    },
    time::{Duration, Instant},
};

/// The bridge's address: every relay listens on it.
pub const BRIDGE_IP: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 254);
/// The client's place in the delay matrix (after the validators').
pub const CLIENT: usize = 4;

/// Where place `index` (a validator, or [`CLIENT`]) lives.
pub fn address_of(index: usize) -> Ipv4Addr {
    match index {
        CLIENT => Ipv4Addr::new(10, 77, 0, 100),
        index => Ipv4Addr::new(10, 77, 0, 1 + index as u8),
    }
}

/// The place of an address, if it is one of the network's.
fn place_of(ip: IpAddr) -> Option<usize> {
    (0..=CLIENT).find(|index| IpAddr::V4(address_of(*index)) == ip)
}

/// What a link does to the bytes it carries.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    /// One-way delay.
    pub delay: Duration,
    /// Up to this much more, drawn per chunk.
    pub jitter: Duration,
    /// Packets lost per 10,000.
    pub loss_per_10k: u32,
}

/// One-way links between places: `links[from][to]`.
pub type Matrix = [[Link; CLIENT + 1]; CLIENT + 1];

/// Runs `ip` with `args`; panics with its output when it fails.
pub fn ip(args: &[&str]) {
    let output = Command::new("ip").args(args).output().expect("ip runs");
    assert!(
        output.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The namespaces and the bridge; removed on drop.
pub struct Namespaces {
    bridge: String,
    names: Vec<String>,
}

impl Namespaces {
    /// Creates a namespace per place (`validators` of them, then the
    /// client's), each linked to a new bridge.
    pub fn create(validators: usize) -> Self {
        let tag = std::process::id() % 10_000;
        let bridge = format!("ekbr{tag}");
        let mut names: Vec<String> = (0..validators).map(|v| format!("ek{tag}v{v}")).collect();
        names.push(format!("ek{tag}c"));
        let namespaces = Self {
            bridge: bridge.clone(),
            names: Vec::new(),
        };
        ip(&["link", "add", &bridge, "type", "bridge"]);
        ip(&["addr", "add", &format!("{BRIDGE_IP}/24"), "dev", &bridge]);
        ip(&["link", "set", &bridge, "up"]);
        let mut namespaces = namespaces;
        for (index, name) in names.iter().enumerate() {
            let place = if index == validators { CLIENT } else { index };
            ip(&["netns", "add", name]);
            namespaces.names.push(name.clone());
            let (host, inside) = (format!("{name}h"), format!("{name}n"));
            ip(&[
                "link", "add", &host, "type", "veth", "peer", "name", &inside,
            ]);
            ip(&["link", "set", &inside, "netns", name]);
            ip(&["link", "set", &host, "master", &bridge]);
            ip(&["link", "set", &host, "up"]);
            let address = format!("{}/24", address_of(place));
            ip(&["-n", name, "addr", "add", &address, "dev", &inside]);
            ip(&["-n", name, "link", "set", &inside, "up"]);
            ip(&["-n", name, "link", "set", "lo", "up"]);
        }
        namespaces
    }

    /// The namespace of place `index` (a validator, or [`CLIENT`]).
    pub fn name(&self, index: usize) -> &str {
        let position = match index {
            CLIENT => self.names.len() - 1,
            index => index,
        };
        &self.names[position]
    }

    /// Cuts (or restores) validator `index`'s link to the bridge.
    pub fn set_linked(&self, index: usize, linked: bool) {
        let host = format!("{}h", self.name(index));
        ip(&["link", "set", &host, if linked { "up" } else { "down" }]);
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = Command::new("ip").args(["netns", "del", name]).output();
        }
        let _ = Command::new("ip")
            .args(["link", "del", &self.bridge])
            .output();
    }
}

/// A relay: accepts on `listen` (on the bridge) and forwards to `target`
/// (place `to`), each direction delayed as `matrix` says. Runs until the
/// process ends.
pub fn relay(listen: SocketAddr, target: SocketAddr, to: usize, matrix: Arc<Matrix>) {
    let listener = TcpListener::bind(listen).expect("the relay binds");
    let seed = Arc::new(AtomicU64::new(0x9e37_79b9_7f4a_7c15 ^ listen.port() as u64));
    std::thread::spawn(move || {
        for inbound in listener.incoming() {
            let Ok(inbound) = inbound else { continue };
            let from = inbound
                .peer_addr()
                .ok()
                .and_then(|peer| place_of(peer.ip()));
            let Ok(outbound) = TcpStream::connect_timeout(&target, Duration::from_secs(3)) else {
                continue;
            };
            let (forth, back) = match from {
                Some(from) => (matrix[from][to], matrix[to][from]),
                // The test itself, on the bridge: no delay.
                None => (Link::none(), Link::none()),
            };
            let seed = seed.fetch_add(0x2545_f491_4f6c_dd1d, Ordering::Relaxed);
            pump(&inbound, &outbound, forth, back, seed);
            pump(&outbound, &inbound, back, forth, seed ^ 0xffff);
        }
    });
}

impl Link {
    /// A link that changes nothing.
    pub const fn none() -> Self {
        Self {
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            loss_per_10k: 0,
        }
    }
}

/// Copies `from` to `to` through a delay line: one thread reads and
/// stamps each chunk with when it may leave, another writes it then.
fn pump(from: &TcpStream, to: &TcpStream, link: Link, back: Link, seed: u64) {
    let (mut reader, mut writer) = (from.try_clone().unwrap(), to.try_clone().unwrap());
    let (sender, receiver) = mpsc::channel::<(Instant, Vec<u8>)>();
    std::thread::spawn(move || {
        let mut random = Random(seed | 1);
        let mut leaves = Instant::now();
        let mut buffer = vec![0u8; 64 << 10];
        while let Ok(read) = reader.read(&mut buffer) {
            if read == 0 {
                break;
            }
            let jitter = link.jitter.mul_f64(random.fraction());
            let mut at = Instant::now() + link.delay + jitter;
            // A lost packet holds the stream one round trip (fast
            // retransmit); `read` bytes are about this many packets.
            let packets = read.div_ceil(1448) as u32;
            if (0..packets).any(|_| random.below(10_000) < link.loss_per_10k) {
                at += link.delay + back.delay;
            }
            leaves = leaves.max(at);
            if sender.send((leaves, buffer[..read].to_vec())).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        for (at, bytes) in receiver {
            std::thread::sleep(at.saturating_duration_since(Instant::now()));
            if writer.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = writer.shutdown(Shutdown::Write);
    });
}

/// xorshift64: jitter and loss need spread, not secrecy.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u32) -> u32 {
        (self.next() % bound as u64) as u32
    }

    fn fraction(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
