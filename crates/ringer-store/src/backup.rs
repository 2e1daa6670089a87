//! Online backup of a live database.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::Backup;

use crate::error::{DbResult, StoreError};
use crate::{Store, create_new_private_file, schema};

impl Store {
    /// Copies the database to a new file at `target` (mode 0600) with SQLite's online backup,
    /// which is consistent even while the server and admin commands keep writing. The copy is a
    /// complete store: [`Store::open_file`] opens it. Refuses to overwrite an existing file
    /// ([`StoreError::BackupTargetExists`]); a failed backup removes its partial file.
    pub fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        match create_new_private_file(target) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::BackupTargetExists(target.to_path_buf()));
            }
            Err(source) => {
                return Err(StoreError::Create {
                    path: target.to_path_buf(),
                    source,
                });
            }
        }
        self.copy_to(target).inspect_err(|_| remove_partial(target))
    }

    fn copy_to(&self, target: &Path) -> Result<(), StoreError> {
        // A connection of its own, so that the copy does not hold the store's mutex.
        let source = Connection::open(&self.path).db()?;
        source.busy_timeout(schema::BUSY_TIMEOUT).db()?;
        let mut dest = Connection::open(target).db()?;
        let backup = Backup::new(&source, &mut dest).db()?;
        // All pages in one step: a step holds a read transaction, so the copy is one snapshot.
        backup
            .run_to_completion(i32::MAX, Duration::from_millis(50), None)
            .db()?;
        tracing::info!(target = %target.display(), "store backed up");
        Ok(())
    }
}

fn remove_partial(target: &Path) {
    if let Err(e) = std::fs::remove_file(target) {
        tracing::warn!(error = %e, target = %target.display(), "cannot remove partial backup");
    }
}
