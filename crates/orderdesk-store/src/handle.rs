//! The app-facing handle: one writer thread fed by a channel, results through one-shot replies.
//!
//! The UI side never touches disk: [`StoreHandle::write`] queues a closure for the writer
//! thread and returns a [`Reply`] at once, which can be awaited (it is a `Future`, usable from
//! any executor) or waited on from a plain thread. Reads that must not queue behind writes
//! use their own [`Reader`] connections (WAL lets them run while the writer commits).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

use crate::error::{Result, StoreError};
use crate::store::{Reader, Store};

type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// How long the writer waits without work before it checkpoints the WAL.
const IDLE: Duration = Duration::from_millis(250);

/// A cloneable, thread-safe handle to a store owned by a dedicated writer thread. The thread
/// ends when the last handle is dropped, after finishing the jobs already queued, and that
/// drop waits for it: the connection is closed before the process can exit, so SQLite copies
/// the WAL into the database file and removes it (a database file copied after a command is
/// then the whole database, not half of it).
#[derive(Debug, Clone)]
pub struct StoreHandle {
    // Declared first, so dropped first: the last handle's drop disconnects the channel before
    // `_writer` waits for the thread to end.
    jobs: mpsc::Sender<Job>,
    _writer: Arc<Writer>,
    path: PathBuf,
}

/// The writer thread, waited for when the last handle is dropped.
#[derive(Debug)]
struct Writer(Mutex<Option<thread::JoinHandle<()>>>);

impl Drop for Writer {
    fn drop(&mut self) {
        let handle = self.0.get_mut().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(handle) = handle {
            // A job that held the last handle drops it on the writer thread itself, which
            // then ends on its own: it cannot wait for itself.
            if handle.thread().id() != thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}

impl StoreHandle {
    /// Open the database at `path` and start its writer thread.
    pub fn open(path: impl AsRef<Path>) -> Result<StoreHandle> {
        StoreHandle::spawn(Store::open(path)?)
    }

    /// Move an open store onto a new writer thread.
    pub fn spawn(store: Store) -> Result<StoreHandle> {
        let path = store.path().to_path_buf();
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = thread::Builder::new()
            .name("orderdesk-store-writer".into())
            .spawn(move || {
                let mut store = store;
                let mut wrote = false;
                loop {
                    match queue.recv_timeout(IDLE) {
                        Ok(job) => {
                            job(&mut store);
                            wrote = true;
                        }
                        // Quiet for a moment: copy the WAL into the database now, so that the
                        // next save does not pay for an automatic checkpoint. A failure here
                        // is harmless (SQLite checkpoints again later) and has no caller.
                        Err(mpsc::RecvTimeoutError::Timeout) => {
                            if wrote {
                                let _ = store.checkpoint();
                                wrote = false;
                            }
                        }
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
            })
            .map_err(|source| StoreError::Io {
                action: "cannot start the writer thread for",
                path: path.clone(),
                source,
            })?;
        Ok(StoreHandle { jobs, _writer: Arc::new(Writer(Mutex::new(Some(thread)))), path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `job` on the writer thread. Jobs run one at a time, in the order they were queued.
    pub fn write<T, F>(&self, job: F) -> Reply<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T> + Send + 'static,
    {
        let (reply, fulfil) = Reply::pair();
        let sent = self.jobs.send(Box::new(move |store: &mut Store| {
            fulfil.send(job(store));
        }));
        // If the thread is gone the job (and its `fulfil`) was dropped: the reply reads
        // `WriterGone`.
        drop(sent);
        reply
    }

    /// A new reader connection, for reads that should not wait behind queued writes.
    pub fn reader(&self) -> Result<Reader> {
        Reader::open(&self.path)
    }
}

struct Slot<T> {
    value: Option<Result<T>>,
    closed: bool,
    waker: Option<Waker>,
}

type Shared<T> = Arc<(Mutex<Slot<T>>, Condvar)>;

/// The result of a queued write: `.await` it, or call [`Reply::wait`] from a plain thread.
#[must_use = "a write runs either way, but its result (and any error) is in the reply"]
pub struct Reply<T> {
    shared: Shared<T>,
}

/// The writer's end of a [`Reply`]; dropping it unsent closes the reply with `WriterGone`.
struct Fulfil<T> {
    shared: Shared<T>,
}

impl<T> Reply<T> {
    fn pair() -> (Reply<T>, Fulfil<T>) {
        let shared = Arc::new((
            Mutex::new(Slot { value: None, closed: false, waker: None }),
            Condvar::new(),
        ));
        (Reply { shared: Arc::clone(&shared) }, Fulfil { shared })
    }

    /// Block the current thread until the write finished.
    pub fn wait(self) -> Result<T> {
        let (lock, ready) = &*self.shared;
        let mut slot = lock.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(value) = slot.value.take() {
                return value;
            }
            if slot.closed {
                return Err(StoreError::WriterGone);
            }
            slot = ready.wait(slot).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl<T> Future for Reply<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (lock, _) = &*self.shared;
        let mut slot = lock.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = slot.value.take() {
            return Poll::Ready(value);
        }
        if slot.closed {
            return Poll::Ready(Err(StoreError::WriterGone));
        }
        slot.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> Fulfil<T> {
    fn send(self, value: Result<T>) {
        let (lock, _) = &*self.shared;
        let mut slot = lock.lock().unwrap_or_else(PoisonError::into_inner);
        slot.value = Some(value);
        // `Drop` below marks the reply closed and wakes the waiter.
    }
}

impl<T> Drop for Fulfil<T> {
    fn drop(&mut self) {
        let (lock, ready) = &*self.shared;
        let waker = {
            let mut slot = lock.lock().unwrap_or_else(PoisonError::into_inner);
            slot.closed = true;
            slot.waker.take()
        };
        ready.notify_all();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}
