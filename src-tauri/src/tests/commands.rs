//! The commands through Tauri's IPC on the mock runtime, with the app's real context (so its
//! capabilities apply) and a controller over a recorder.

use std::sync::Arc;

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

use super::recorder::{Record, Recorder};
use crate::commands::AppController;
use crate::config_files::ConfigFiles;
use crate::controller::{Controller, Options};
use crate::integration::Integration;
use crate::payload::{AppState, SessionState, Settings, UiEvent};

struct Harness {
    app: App<MockRuntime>,
    recorder: Arc<Recorder>,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let recorder = Arc::new(Recorder::new());
    let dir = tempfile::tempdir().expect("temp dir");
    let integration: Arc<dyn Integration> = recorder.clone();
    let controller: AppController = Controller::new(
        Arc::new(integration),
        ConfigFiles::new(dir.path().to_owned()),
        Options::default(),
    );
    let app = crate::builder(mock_builder())
        .manage(controller)
        .build(tauri::generate_context!())
        .expect("the app builds");
    Harness {
        app,
        recorder,
        _dir: dir,
    }
}

fn window(harness: &Harness, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(&harness.app, label, Default::default())
        .build()
        .expect("a window")
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        // Linux webviews load the app from tauri://localhost.
        url: "tauri://localhost".parse().expect("valid url"),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request)
        .map(|body| body.deserialize::<Value>().expect("the response is JSON"))
}

#[test]
fn get_state_answers_what_a_new_window_needs() {
    let harness = harness();
    let main = window(&harness, "main");
    let state = invoke(&main, "get_state", json!({})).expect("get_state answers");
    let state: AppState = serde_json::from_value(state).expect("an AppState");
    assert_eq!(state.session.state, SessionState::Starting);
    assert_eq!(state.settings, Settings::default());
    assert!(state.incoming.is_empty());
}

#[test]
fn payloads_use_the_ui_field_names() {
    let harness = harness();
    let main = window(&harness, "main");
    let state = invoke(&main, "get_state", json!({})).expect("get_state answers");
    for key in [
        "session",
        "connection",
        "directory",
        "outgoing",
        "incoming",
        "calls",
        "missed",
    ] {
        assert!(state.get(key).is_some(), "{key} missing in {state}");
    }
    assert_eq!(state["settings"]["meetingLinkTemplate"], "");
    assert_eq!(state["settings"]["callWaiting"], false);
    assert_eq!(state["session"]["state"], "starting");
    assert_eq!(state["missed"]["count"], 0);
}

#[test]
fn commands_take_camel_case_arguments_and_reject_with_code_and_message() {
    let harness = harness();
    let main = window(&harness, "main");

    invoke(
        &main,
        "set_favourite",
        json!({ "uid": "alice", "favourite": true }),
    )
    .expect("starred");
    let settings = invoke(
        &main,
        "update_settings",
        json!({ "patch": { "meetingLinkTemplate": "https://meet.example.org/{channel}" } }),
    )
    .expect("settings stored");
    assert_eq!(settings["favourites"], json!(["alice"]));
    assert_eq!(
        settings["meetingLinkTemplate"],
        "https://meet.example.org/{channel}"
    );
    assert!(harness.recorder.records().iter().any(|r| matches!(
        r,
        Record::Emit(UiEvent::Settings(s)) if s.favourites == ["alice"]
    )));

    let error = invoke(
        &main,
        "sign_in",
        json!({ "serverUrl": "http://example.org", "uid": "bob", "password": "pw" }),
    )
    .expect_err("not a websocket url");
    assert_eq!(error["code"], "invalid_url");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));

    let error = invoke(
        &main,
        "send_invitation",
        json!({ "uid": "alice", "content": null }),
    )
    .expect_err("nobody is signed in");
    assert_eq!(error["code"], "not_signed_in");

    let error =
        invoke(&main, "silence_invitation", json!({ "id": "nope" })).expect_err("nothing rings");
    assert_eq!(error["code"], "already_end");

    invoke(&main, "mark_missed_seen", json!({})).expect("cleared");
    invoke(&main, "dismiss", json!({ "id": "nothing" })).expect("nothing to dismiss is fine");
}

#[test]
fn the_incoming_popup_may_call_commands_but_other_windows_may_not() {
    let harness = harness();
    let popup = window(&harness, "incoming-abc");
    invoke(&popup, "get_state", json!({})).expect("the popup is covered by the capability");

    let stranger = window(&harness, "stranger");
    let denied = invoke(&stranger, "get_state", json!({}));
    let denied = denied.expect_err("a window outside the capability is refused");
    assert!(
        denied.to_string().contains("not allowed"),
        "refused by the ACL: {denied}"
    );
}
