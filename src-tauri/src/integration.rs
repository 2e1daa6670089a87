//! The controller's door to the outside world. The real implementation (`desktop.rs`) emits
//! Tauri events, shows native notifications, opens windows and talks to the OS keyring; tests
//! use a recorder.

use crate::payload::UiEvent;

/// A native notification the controller asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// "Incoming call from Alice", with Accept and Decline actions.
    Incoming {
        /// The invitation id (also what identifies the notification).
        id: String,
        /// Who calls.
        caller_name: String,
        /// What the caller wrote.
        content: Option<String>,
        /// No notification sound: a call-waiting ring during a call.
        quiet: bool,
    },
    /// "Missed call from Alice", or "Missed calls from Alice and Bob" for several.
    Missed {
        /// The invitation id (the newest, for several).
        id: String,
        /// Who called (several names already joined).
        caller_name: String,
        /// How many calls the notice stands for.
        calls: u32,
        /// What the caller wrote.
        content: Option<String>,
    },
}

impl Notice {
    /// The invitation the notice is about.
    pub fn id(&self) -> &str {
        match self {
            Notice::Incoming { id, .. } | Notice::Missed { id, .. } => id,
        }
    }

    /// The notification's title.
    pub fn title(&self) -> String {
        match self {
            Notice::Incoming { caller_name, .. } => format!("Incoming call from {caller_name}"),
            Notice::Missed {
                caller_name, calls, ..
            } if *calls > 1 => format!("Missed calls from {caller_name}"),
            Notice::Missed { caller_name, .. } => format!("Missed call from {caller_name}"),
        }
    }

    /// The notification's body: the invitation's content.
    pub fn body(&self) -> Option<&str> {
        match self {
            Notice::Incoming { content, .. } | Notice::Missed { content, .. } => {
                content.as_deref().filter(|text| !text.trim().is_empty())
            }
        }
    }
}

/// The action ids of an incoming-call notification.
pub mod actions {
    /// The action type the incoming-call notifications reference.
    pub const INCOMING_TYPE: &str = "ringer-incoming";
    /// Accept the invitation.
    pub const ACCEPT: &str = "accept";
    /// Decline the invitation.
    pub const DECLINE: &str = "decline";
    /// A click on the notification itself.
    pub const TAP: &str = "tap";
}

/// What the controller needs from the desktop. Every method returns quickly; the keyring
/// methods may block on D-Bus, so the controller calls them off the async threads.
pub trait Integration: Send + Sync + 'static {
    /// Sends an event to every window.
    fn emit(&self, event: UiEvent);

    /// Shows a native notification.
    fn notify(&self, notice: Notice);

    /// Withdraws the incoming-call notification of invitation `id`, if it is shown.
    fn withdraw(&self, id: &str);

    /// Opens the small always-on-top incoming-call window for invitation `id` without taking
    /// focus; `false` when it could not be opened (the main window then shows the call).
    fn open_incoming_window(&self, id: &str) -> bool;

    /// Closes the incoming-call window of invitation `id`, if open.
    fn close_incoming_window(&self, id: &str);

    /// Brings the main window to the front.
    fn show_main_window(&self);

    /// Shows the unseen missed-call count (tray tooltip, window badge).
    fn set_badge(&self, count: u32);

    /// Opens `url` in the default browser.
    fn open_url(&self, url: &str) -> Result<(), String>;

    /// Turns starting at login on or off.
    fn set_autostart(&self, enabled: bool) -> Result<(), String>;

    /// Reads the secret stored for `account` in the OS credential store.
    fn load_secret(&self, account: &str) -> Result<Option<String>, String>;

    /// Stores `secret` for `account` in the OS credential store, replacing any earlier one.
    fn store_secret(&self, account: &str, secret: &str) -> Result<(), String>;

    /// Deletes the secret of `account`; fine when there is none.
    fn delete_secret(&self, account: &str) -> Result<(), String>;
}

/// Lets the app manage one controller type whatever integration it runs with.
impl Integration for std::sync::Arc<dyn Integration> {
    fn emit(&self, event: UiEvent) {
        (**self).emit(event);
    }
    fn notify(&self, notice: Notice) {
        (**self).notify(notice);
    }
    fn withdraw(&self, id: &str) {
        (**self).withdraw(id);
    }
    fn open_incoming_window(&self, id: &str) -> bool {
        (**self).open_incoming_window(id)
    }
    fn close_incoming_window(&self, id: &str) {
        (**self).close_incoming_window(id);
    }
    fn show_main_window(&self) {
        (**self).show_main_window();
    }
    fn set_badge(&self, count: u32) {
        (**self).set_badge(count);
    }
    fn open_url(&self, url: &str) -> Result<(), String> {
        (**self).open_url(url)
    }
    fn set_autostart(&self, enabled: bool) -> Result<(), String> {
        (**self).set_autostart(enabled)
    }
    fn load_secret(&self, account: &str) -> Result<Option<String>, String> {
        (**self).load_secret(account)
    }
    fn store_secret(&self, account: &str, secret: &str) -> Result<(), String> {
        (**self).store_secret(account, secret)
    }
    fn delete_secret(&self, account: &str) -> Result<(), String> {
        (**self).delete_secret(account)
    }
}
