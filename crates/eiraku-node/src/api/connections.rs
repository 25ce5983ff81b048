//! Caps on open connections, over all clients and per client (an IPv4
//! address or an IPv6 /64), taken before a TLS handshake: connections
//! past a cap are closed at once. Without them, connections opened and
//! left idle use up the file descriptors the store and p2p need too.

use super::limits::client_key;
use axum::serve::Listener;
use std::{
    collections::BTreeMap,
    io,
    net::{IpAddr, SocketAddr},
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Places under a total cap and a cap per client: open connections here,
/// requests in hand and event streams in `limits`.
pub struct Caps {
    total: usize,
    per_client: usize,
    open: Mutex<Open>,
}

/// Places taken, in all and by client.
#[derive(Default)]
struct Open {
    all: usize,
    by_client: BTreeMap<IpAddr, usize>,
}

impl Caps {
    /// Caps of `total` places, `per_client` of them one client's.
    pub fn new(total: usize, per_client: usize) -> Arc<Self> {
        Arc::new(Self {
            total,
            per_client,
            open: Mutex::new(Open::default()),
        })
    }

    /// A place for `client`, if the caps leave one; given back when dropped.
    pub(super) fn take(self: &Arc<Self>, client: IpAddr) -> Option<Place> {
        let key = client_key(client);
        let mut open = self.open.lock().expect("place table");
        let mine = open.by_client.get(&key).copied().unwrap_or(0);
        if open.all >= self.total || mine >= self.per_client {
            return None;
        }
        open.all += 1;
        open.by_client.insert(key, mine + 1);
        Some(Place {
            caps: self.clone(),
            key,
        })
    }
}

/// A place, given back when dropped.
pub(super) struct Place {
    caps: Arc<Caps>,
    key: IpAddr,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self.caps.open.lock().expect("place table");
        open.all -= 1;
        if let Some(count) = open.by_client.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.by_client.remove(&self.key);
            }
        }
    }
}

/// A listener whose connections hold a place under the caps.
pub struct Capped<L> {
    inner: L,
    caps: Arc<Caps>,
}

impl<L> Capped<L> {
    /// `inner`'s connections, within `caps`.
    pub fn new(inner: L, caps: Arc<Caps>) -> Self {
        Self { inner, caps }
    }
}

impl<L> Listener for Capped<L>
where
    L: Listener<Addr = SocketAddr>,
{
    type Io = Counted<L::Io>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (io, client) = self.inner.accept().await;
            if let Some(place) = self.caps.take(client.ip()) {
                return (Counted { io, _place: place }, client);
            }
            // Over a cap: `io` is dropped, the connection closed.
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A connection holding its place.
pub struct Counted<Io> {
    io: Io,
    _place: Place,
}

impl<Io: AsyncRead + Unpin> AsyncRead for Counted<Io> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<Io: AsyncWrite + Unpin> AsyncWrite for Counted<Io> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_share_and_the_total_is_kept() {
        let caps = Caps::new(3, 2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = caps.take(a).expect("first of a");
        let _second = caps.take(a).expect("second of a");
        assert!(caps.take(a).is_none(), "a third of a's");
        let _of_b = caps.take(b).expect("b's first");
        assert!(caps.take(b).is_none(), "over the total");
        drop(first);
        assert!(caps.take(a).is_some(), "a place given back is taken again");
    }

    #[test]
    fn one_ipv6_host_is_one_client() {
        let caps = Caps::new(100, 1);
        let _held = caps.take("2001:db8::1".parse().unwrap()).unwrap();
        assert!(caps.take("2001:db8::2".parse().unwrap()).is_none());
        assert!(caps.take("2001:db8:0:1::2".parse().unwrap()).is_some());
    }
}
