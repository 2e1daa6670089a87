//! An [`Integration`] that records what the controller asked of the desktop, with an in-memory
//! credential store.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;

use crate::integration::{Integration, Notice};
use crate::payload::UiEvent;

/// How long a test waits for something that should happen promptly: a guard against hangs,
/// not a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// One thing the controller did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Emit(UiEvent),
    Notify(Notice),
    Withdraw(String),
    OpenWindow(String),
    CloseWindow(String),
    ShowMain,
    Badge(u32),
    OpenUrl(String),
    Autostart(bool),
    StoreSecret { account: String, secret: String },
    DeleteSecret(String),
}

/// The recorder.
pub struct Recorder {
    records: Mutex<Vec<Record>>,
    secrets: Mutex<HashMap<String, String>>,
    changed: watch::Sender<usize>,
}

impl Recorder {
    pub fn new() -> Self {
        Recorder {
            records: Mutex::new(Vec::new()),
            secrets: Mutex::new(HashMap::new()),
            changed: watch::channel(0).0,
        }
    }

    /// A recorder whose credential store already holds `secrets`.
    pub fn with_secrets(secrets: HashMap<String, String>) -> Self {
        let recorder = Recorder::new();
        *recorder.secrets.lock().expect("not poisoned") = secrets;
        recorder
    }

    pub fn records(&self) -> Vec<Record> {
        self.records.lock().expect("not poisoned").clone()
    }

    pub fn secrets(&self) -> HashMap<String, String> {
        self.secrets.lock().expect("not poisoned").clone()
    }

    /// Waits until a record matches `find` and returns what it extracted.
    pub async fn wait_for<T>(&self, what: &str, find: impl Fn(&Record) -> Option<T>) -> T {
        self.wait_for_from(0, what, find).await
    }

    /// Like [`Recorder::wait_for`], looking only at the records from index `from` on (`from`
    /// taken from `records().len()` earlier: what happened since then).
    pub async fn wait_for_from<T>(
        &self,
        from: usize,
        what: &str,
        find: impl Fn(&Record) -> Option<T>,
    ) -> T {
        let mut changed = self.changed.subscribe();
        let found = tokio::time::timeout(PATIENCE, async {
            loop {
                changed.borrow_and_update();
                let records = self.records();
                if let Some(found) = records
                    .get(from..)
                    .unwrap_or_default()
                    .iter()
                    .find_map(&find)
                {
                    return found;
                }
                changed.changed().await.expect("the recorder lives");
            }
        })
        .await;
        match found {
            Ok(found) => found,
            Err(_) => panic!("never saw {what}; records: {:#?}", self.records()),
        }
    }

    /// Waits for an emitted event that satisfies `find`.
    pub async fn wait_for_event(&self, what: &str, find: impl Fn(&UiEvent) -> bool) -> UiEvent {
        self.wait_for(what, |record| {
            if let Record::Emit(event) = record
                && find(event)
            {
                Some(event.clone())
            } else {
                None
            }
        })
        .await
    }

    fn record(&self, record: Record) {
        self.records.lock().expect("not poisoned").push(record);
        self.changed.send_modify(|n| *n += 1);
    }
}

impl Integration for Recorder {
    fn emit(&self, event: UiEvent) {
        self.record(Record::Emit(event));
    }

    fn notify(&self, notice: Notice) {
        self.record(Record::Notify(notice));
    }

    fn withdraw(&self, id: &str) {
        self.record(Record::Withdraw(id.to_owned()));
    }

    fn open_incoming_window(&self, id: &str) -> bool {
        self.record(Record::OpenWindow(id.to_owned()));
        true
    }

    fn close_incoming_window(&self, id: &str) {
        self.record(Record::CloseWindow(id.to_owned()));
    }

    fn show_main_window(&self) {
        self.record(Record::ShowMain);
    }

    fn set_badge(&self, count: u32) {
        self.record(Record::Badge(count));
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        self.record(Record::OpenUrl(url.to_owned()));
        Ok(())
    }

    fn set_autostart(&self, enabled: bool) -> Result<(), String> {
        self.record(Record::Autostart(enabled));
        Ok(())
    }

    fn load_secret(&self, account: &str) -> Result<Option<String>, String> {
        Ok(self.secrets().get(account).cloned())
    }

    fn store_secret(&self, account: &str, secret: &str) -> Result<(), String> {
        self.secrets
            .lock()
            .expect("not poisoned")
            .insert(account.to_owned(), secret.to_owned());
        self.record(Record::StoreSecret {
            account: account.to_owned(),
            secret: secret.to_owned(),
        });
        Ok(())
    }

    fn delete_secret(&self, account: &str) -> Result<(), String> {
        self.secrets.lock().expect("not poisoned").remove(account);
        self.record(Record::DeleteSecret(account.to_owned()));
        Ok(())
    }
}
