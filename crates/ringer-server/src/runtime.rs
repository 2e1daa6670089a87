//! The tokio runtime that `ringer-server serve` runs on.

/// A runtime with `worker_threads` threads serving the connections, or one per CPU for 0.
///
/// For 1 it is tokio's current-thread runtime: every connection, the hub and the switchboard
/// run on the one thread that calls `block_on`, so a call's frames pass from task to task
/// without waking another thread (docs/performance.md measures what that saves). Blocking work
/// (password hashing, the database) runs on tokio's blocking pool and the store writer's own
/// thread with either kind.
pub fn build(worker_threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = match worker_threads {
        1 => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    if worker_threads > 1 {
        builder.worker_threads(worker_threads);
    }
    builder.enable_all().build()
}

#[cfg(test)]
mod tests {
    use tokio::runtime::RuntimeFlavor;

    use super::build;

    /// The kind of runtime `build(worker_threads)` makes, and its worker count.
    fn shape(worker_threads: usize) -> std::io::Result<(RuntimeFlavor, usize)> {
        let runtime = build(worker_threads)?;
        Ok((
            runtime.handle().runtime_flavor(),
            runtime.metrics().num_workers(),
        ))
    }

    #[test]
    fn one_thread_is_the_current_thread_runtime() -> std::io::Result<()> {
        assert_eq!(shape(1)?, (RuntimeFlavor::CurrentThread, 1));
        // Timers and I/O are enabled: a server needs both.
        build(1)?.block_on(async {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            tokio::net::TcpListener::bind("127.0.0.1:0").await
        })?;
        Ok(())
    }

    #[test]
    fn more_threads_are_a_multi_thread_runtime_with_that_many_workers() -> std::io::Result<()> {
        assert_eq!(shape(3)?, (RuntimeFlavor::MultiThread, 3));
        Ok(())
    }

    #[test]
    fn zero_leaves_the_count_to_tokio() -> std::io::Result<()> {
        // One per CPU, as tokio counts them (it also honours TOKIO_WORKER_THREADS).
        let (flavor, workers) = shape(0)?;
        assert_eq!(flavor, RuntimeFlavor::MultiThread);
        assert!(workers >= 1);
        Ok(())
    }
}
