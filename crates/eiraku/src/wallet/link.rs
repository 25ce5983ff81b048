//! Two wallets' link: a TCP stream (loopback, a local network, or a
//! Bluetooth or NFC bridge presenting one) carrying length-prefixed frames.
//! Each protocol message is the session's sealed parts, counted then
//! framed. Nothing here is trusted: the session authenticates and decrypts,
//! the transfer protocol checks.

use anyhow::Context;
use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

/// Longest frame accepted: one Noise message (at most 65,535 bytes), so a
/// peer cannot make a wallet hold more than its parts' count of them.
const MAX_FRAME: usize = 1 << 16;
/// Most parts one message is sealed in.
const MAX_PARTS: u32 = 1_024;
/// How long a wallet waits for its peer's next message.
const PEER_TIMEOUT: Duration = Duration::from_secs(60);

/// One end of a link.
pub struct Link {
    stream: TcpStream,
}

impl Link {
    /// Wraps a connected stream.
    pub fn new(stream: TcpStream) -> anyhow::Result<Self> {
        stream.set_read_timeout(Some(PEER_TIMEOUT))?;
        stream.set_write_timeout(Some(PEER_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(Self { stream })
    }

    /// Sends one frame.
    pub fn send_frame(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        let len = u32::try_from(bytes.len()).context("frame too long")?;
        self.stream.write_all(&len.to_be_bytes())?;
        self.stream.write_all(bytes)?;
        Ok(())
    }

    /// Receives one frame.
    pub fn receive_frame(&mut self) -> anyhow::Result<Vec<u8>> {
        let len = self.read_u32().context("the other wallet went away")? as usize;
        anyhow::ensure!(len <= MAX_FRAME, "the other wallet sent a {len}-byte frame");
        let mut bytes = vec![0u8; len];
        self.stream.read_exact(&mut bytes)?;
        Ok(bytes)
    }

    /// Sends a message sealed in `parts`.
    pub fn send_parts(&mut self, parts: &[Vec<u8>]) -> anyhow::Result<()> {
        let count = u32::try_from(parts.len()).context("too many parts")?;
        self.stream.write_all(&count.to_be_bytes())?;
        for part in parts {
            self.send_frame(part)?;
        }
        Ok(())
    }

    /// Receives a message's sealed parts.
    pub fn receive_parts(&mut self) -> anyhow::Result<Vec<Vec<u8>>> {
        let count = self.read_u32().context("the other wallet went away")?;
        anyhow::ensure!(
            (1..=MAX_PARTS).contains(&count),
            "the other wallet sent a message of {count} parts"
        );
        (0..count).map(|_| self.receive_frame()).collect()
    }

    fn read_u32(&mut self) -> std::io::Result<u32> {
        let mut word = [0u8; 4];
        self.stream.read_exact(&mut word)?;
        Ok(u32::from_be_bytes(word))
    }
}
