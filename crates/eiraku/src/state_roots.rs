//! State roots recomputed from scratch, for `eiraku verify`: each block's
//! changes written into a fresh authenticated state (QMDB, in a temporary
//! folder), exactly as a validator writes them, and its root read back.
//!
//! The state store is asynchronous; it runs on its own runtime thread and
//! answers one block at a time.

use eiraku_core::Digest;
use eiraku_node::{commitment, state_db::Write};
use eiraku_state::Change;
use futures::{channel::mpsc, StreamExt};
use std::{sync::mpsc as std_mpsc, thread::JoinHandle};

type Reply = std_mpsc::Sender<Result<Digest, String>>;

/// A scratch authenticated state and the thread that runs it.
pub struct StateRoots {
    requests: Option<mpsc::UnboundedSender<(u64, Vec<Write>, Reply)>>,
    thread: Option<JoinHandle<()>>,
    _folder: tempfile::TempDir,
}

impl StateRoots {
    /// An empty state in a new temporary folder.
    pub fn start() -> anyhow::Result<Self> {
        let folder = tempfile::tempdir()?;
        let storage = folder.path().to_path_buf();
        let (requests, mut incoming) = mpsc::unbounded::<(u64, Vec<Write>, Reply)>();
        let thread = std::thread::Builder::new()
            .name("state-roots".into())
            .spawn(move || {
                use commonware_runtime::{tokio as cw_tokio, Runner as _, Supervisor as _};
                let config = cw_tokio::Config::new()
                    .with_storage_directory(storage)
                    .with_worker_threads(1);
                cw_tokio::Runner::new(config).start(|context| async move {
                    let state = match commitment::open(context.child("state"), "verify").await {
                        Ok(state) => state,
                        Err(error) => {
                            while let Some((_, _, reply)) = incoming.next().await {
                                let _ = reply.send(Err(error.to_string()));
                            }
                            return;
                        }
                    };
                    while let Some((height, writes, reply)) = incoming.next().await {
                        let root = async {
                            let pending = state.speculate(None, height, writes).await?;
                            state.apply(pending).await?;
                            Ok(state.root().await)
                        };
                        let root = root
                            .await
                            .map_err(|e: eiraku_node::state_db::StateDbError| e.to_string());
                        let _ = reply.send(root);
                    }
                });
            })?;
        Ok(Self {
            requests: Some(requests),
            thread: Some(thread),
            _folder: folder,
        })
    }

    /// The root after writing `changes` as block `height`.
    pub fn root_after(&self, height: u64, changes: Vec<Change>) -> Result<Digest, String> {
        let (reply, answer) = std_mpsc::channel();
        self.requests
            .as_ref()
            .expect("open until dropped")
            .unbounded_send((height, commitment::writes(&changes), reply))
            .map_err(|_| "the state-root thread stopped".to_string())?;
        answer
            .recv()
            .map_err(|_| "the state-root thread stopped".to_string())?
    }
}

impl Drop for StateRoots {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop.
        self.requests.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
