//! Ringer's desktop app: a Tauri 2 shell around the client driver that makes calling a
//! teammate feel like a softphone.
//!
//! - [`controller::Controller`] owns the [`ringer_client::Client`] (the WebSocket lives here,
//!   never in the webview) and decides everything the UI shows and the desktop does.
//! - It reaches the desktop only through [`integration::Integration`]: [`desktop`] implements
//!   it with Tauri events, native notifications with Accept/Decline, the always-on-top
//!   incoming-call window, the tray, the opener, autostart and the OS keyring; tests use a
//!   recorder.
//! - [`commands`] are the thin Tauri commands of `docs/app-contract.md`; [`payload`] the
//!   serde structs that mirror `ui/src/api.ts`.
//!
//! # Layout
//!
//! - `commands.rs`: the commands, forwarding to the controller.
//! - `controller/`: state, sign-in, calls, engine events, links.
//! - `desktop.rs`: the real integration and the app's setup (plugins, tray, deep links).
//! - `integration.rs`: the trait the controller talks through.
//! - `payload.rs`: event and command payloads; `error.rs`: [`error::AppError`].
//! - `config_files.rs`: settings, favourites, the last account and the device id on disk.
//! - `keyring_store.rs`: the session token in the OS credential store.

#![warn(missing_docs)]

pub mod commands;
pub mod config_files;
pub mod controller;
pub mod desktop;
pub mod error;
pub mod integration;
pub mod keyring_store;
pub mod payload;

#[cfg(test)]
mod tests;

/// Registers the app's commands on `builder`: the part of the app that tests build on
/// `tauri::test::mock_builder()` (with a controller managed next to it).
pub fn builder<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    commands::register(builder)
}

/// Runs the desktop app.
pub fn run() {
    // stderr, not stdout: launchers and tauri-driver discard the app's stdout, and stdout may be
    // a pipe nobody reads. Colours only for a terminal, so a captured log stays plain text.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let app = builder(desktop::plugins(tauri::Builder::default()))
        .setup(desktop::setup)
        .run(tauri::generate_context!());
    if let Err(error) = app {
        tracing::error!(%error, "the app failed");
        std::process::exit(1);
    }
}
