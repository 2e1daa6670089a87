//! The Tauri commands the UI calls (see `docs/app-contract.md`). Each one forwards to the
//! [`Controller`]; none holds logic of its own.

use std::sync::Arc;

use ringer_proto::Status;
use tauri::State;

use crate::controller::Controller;
use crate::error::AppError;
use crate::integration::Integration;
use crate::payload::{AppState, CallRecord, OutgoingCall, Settings, SettingsPatch};

/// The controller as the app manages it: over whichever integration it was built with.
pub type AppController = Controller<Arc<dyn Integration>>;

type Ctl<'a> = State<'a, AppController>;

/// Registers every command on `builder`.
pub fn register<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    // Keep in step with build.rs's COMMANDS, which generates their permissions.
    builder.invoke_handler(tauri::generate_handler![
        get_state,
        sign_in,
        sign_out,
        set_status,
        set_favourite,
        update_settings,
        send_invitation,
        cancel_invitation,
        accept_invitation,
        refuse_invitation,
        silence_invitation,
        hang_up,
        dismiss,
        open_meeting,
        get_history,
        mark_missed_seen,
    ])
}

/// `get_state`
#[tauri::command]
pub async fn get_state(ctl: Ctl<'_>) -> Result<AppState, AppError> {
    Ok(ctl.app_state())
}

/// `sign_in { serverUrl, uid, password }`
#[tauri::command]
pub async fn sign_in(
    ctl: Ctl<'_>,
    server_url: String,
    uid: String,
    password: String,
) -> Result<(), AppError> {
    ctl.sign_in(server_url, uid, password).await
}

/// `sign_out`
#[tauri::command]
pub async fn sign_out(ctl: Ctl<'_>) -> Result<(), AppError> {
    ctl.sign_out().await
}

/// `set_status { status }`
#[tauri::command]
pub async fn set_status(ctl: Ctl<'_>, status: Status) -> Result<(), AppError> {
    ctl.set_status(status).await
}

/// `set_favourite { uid, favourite }`
#[tauri::command]
pub async fn set_favourite(ctl: Ctl<'_>, uid: String, favourite: bool) -> Result<(), AppError> {
    ctl.set_favourite(&uid, favourite)
}

/// `update_settings { patch }`
#[tauri::command]
pub async fn update_settings(ctl: Ctl<'_>, patch: SettingsPatch) -> Result<Settings, AppError> {
    ctl.update_settings(patch).await
}

/// `send_invitation { uid, content }`
#[tauri::command]
pub async fn send_invitation(
    ctl: Ctl<'_>,
    uid: String,
    content: Option<String>,
) -> Result<OutgoingCall, AppError> {
    ctl.send_invitation(uid, content).await
}

/// `cancel_invitation { id }`
#[tauri::command]
pub async fn cancel_invitation(ctl: Ctl<'_>, id: String) -> Result<(), AppError> {
    ctl.cancel_invitation(id).await
}

/// `accept_invitation { id }`
#[tauri::command]
pub async fn accept_invitation(ctl: Ctl<'_>, id: String) -> Result<(), AppError> {
    ctl.accept_invitation(id).await
}

/// `refuse_invitation { id }`
#[tauri::command]
pub async fn refuse_invitation(ctl: Ctl<'_>, id: String) -> Result<(), AppError> {
    ctl.refuse_invitation(id).await
}

/// `silence_invitation { id }`
#[tauri::command]
pub async fn silence_invitation(ctl: Ctl<'_>, id: String) -> Result<(), AppError> {
    ctl.silence_invitation(&id)
}

/// `hang_up { id }`
#[tauri::command]
pub async fn hang_up(ctl: Ctl<'_>, id: String) -> Result<(), AppError> {
    ctl.hang_up(id).await
}

/// `dismiss { id }`
#[tauri::command]
pub async fn dismiss(ctl: Ctl<'_>, id: String) -> Result<(), AppError> {
    ctl.dismiss(&id);
    Ok(())
}

/// `open_meeting { id }`
#[tauri::command]
pub async fn open_meeting(ctl: Ctl<'_>, id: String) -> Result<(), AppError> {
    ctl.open_meeting(&id)
}

/// `get_history { limit }`
#[tauri::command]
pub async fn get_history(ctl: Ctl<'_>, limit: Option<u32>) -> Result<Vec<CallRecord>, AppError> {
    ctl.get_history(limit).await
}

/// `mark_missed_seen`
#[tauri::command]
pub async fn mark_missed_seen(ctl: Ctl<'_>) -> Result<(), AppError> {
    ctl.mark_missed_seen();
    Ok(())
}
