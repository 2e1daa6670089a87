//! Generates the Tauri context and one `allow-<command>` permission per app command, so the
//! capabilities decide which window may call what.

/// Every `#[tauri::command]` in `src/commands.rs`; keep in step with `commands::handler`.
const COMMANDS: &[&str] = &[
    "get_state",
    "sign_in",
    "sign_out",
    "set_status",
    "set_favourite",
    "update_settings",
    "send_invitation",
    "cancel_invitation",
    "accept_invitation",
    "refuse_invitation",
    "silence_invitation",
    "hang_up",
    "dismiss",
    "open_meeting",
    "get_history",
    "mark_missed_seen",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|error| panic!("tauri build step failed: {error:#}"));
}
