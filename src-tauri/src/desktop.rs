//! The real [`Integration`]: Tauri events, native notifications with actions, the incoming-call
//! window, the tray, the opener, autostart and the OS keyring; plus the app's setup (plugins,
//! tray menu, deep links, single instance).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use ringer_proto::Status;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent, Wry};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_deep_link::DeepLinkExt as _;
use tauri_plugin_notification::{Action, ActionType, NotificationExt as _};
use tauri_plugin_opener::OpenerExt as _;

use crate::commands::AppController;
use crate::config_files::ConfigFiles;
use crate::controller::{Controller, Options};
use crate::integration::{Integration, Notice, actions};
use crate::keyring_store;
use crate::payload::{Session, SessionState, UiEvent};

/// The main window's label (tauri.conf.json).
const MAIN: &str = "main";
/// Passed by the autostart entry: start in the tray.
const HIDDEN_FLAG: &str = "--hidden";

/// The desktop side of the controller.
pub struct TauriIntegration {
    app: AppHandle<Wry>,
    notifications: Mutex<NoticeIds>,
    tray: OnceLock<TrayHandles>,
}

/// Native notification ids are `i32`; invitations have string ids.
#[derive(Default)]
struct NoticeIds {
    next: i32,
    /// Incoming-call notification per invitation.
    by_invitation: HashMap<String, i32>,
    /// Invitation per incoming-call notification.
    by_notice: HashMap<i32, String>,
}

struct TrayHandles {
    icon: TrayIcon<Wry>,
    available: CheckMenuItem<Wry>,
    dnd: CheckMenuItem<Wry>,
}

impl TauriIntegration {
    fn new(app: AppHandle<Wry>) -> Self {
        TauriIntegration {
            app,
            notifications: Mutex::new(NoticeIds {
                next: 1,
                ..NoticeIds::default()
            }),
            tray: OnceLock::new(),
        }
    }

    fn next_notice_id(&self, invitation: Option<&str>) -> i32 {
        let mut ids = self
            .notifications
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let id = ids.next;
        ids.next = ids.next.checked_add(1).unwrap_or(1);
        if let Some(invitation) = invitation {
            ids.by_invitation.insert(invitation.to_owned(), id);
            ids.by_notice.insert(id, invitation.to_owned());
        }
        id
    }

    fn invitation_of(&self, notice: i32) -> Option<String> {
        let ids = self
            .notifications
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        ids.by_notice.get(&notice).cloned()
    }

    fn update_tray(&self, session: &Session) {
        let Some(tray) = self.tray.get() else { return };
        let signed_in = session.state == SessionState::SignedIn;
        let status = session.status.unwrap_or(Status::Available);
        for (item, on) in [
            (&tray.available, status == Status::Available),
            (&tray.dnd, status == Status::Dnd),
        ] {
            let _ = item.set_enabled(signed_in);
            let _ = item.set_checked(signed_in && on);
        }
    }
}

impl Integration for TauriIntegration {
    fn emit(&self, event: UiEvent) {
        if let UiEvent::Session(session) = &event {
            self.update_tray(session);
        }
        if let Err(error) = self.app.emit(event.name(), event.payload()) {
            tracing::warn!(%error, event = event.name(), "cannot emit");
        }
    }

    fn notify(&self, notice: Notice) {
        let mut builder = self.app.notification().builder().title(notice.title());
        if let Some(body) = notice.body() {
            builder = builder.body(body);
        }
        match &notice {
            Notice::Incoming { id, quiet, .. } => {
                builder = builder
                    .id(self.next_notice_id(Some(id)))
                    .action_type_id(actions::INCOMING_TYPE);
                if !quiet {
                    builder = builder.sound("phone-incoming-call");
                }
            }
            Notice::Missed { .. } => builder = builder.id(self.next_notice_id(None)),
        }
        if let Err(error) = builder.show() {
            tracing::warn!(%error, "cannot show a notification");
        }
    }

    fn withdraw(&self, id: &str) {
        let notice = {
            let mut ids = self
                .notifications
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let notice = ids.by_invitation.remove(id);
            if let Some(notice) = notice {
                ids.by_notice.remove(&notice);
            }
            notice
        };
        if let Some(notice) = notice
            && let Err(error) = self.app.notification().remove_active(vec![notice])
        {
            tracing::warn!(%error, "cannot withdraw a notification");
        }
    }

    fn open_incoming_window(&self, id: &str) -> bool {
        let label = format!("incoming-{id}");
        if self.app.get_webview_window(&label).is_some() {
            return true;
        }
        let url = WebviewUrl::App(format!("index.html?view=incoming&id={id}").into());
        let built = WebviewWindowBuilder::new(&self.app, &label, url)
            .title("Incoming call — Ringer")
            .inner_size(360.0, 200.0)
            .resizable(false)
            .maximizable(false)
            .minimizable(false)
            .always_on_top(true)
            .visible_on_all_workspaces(true)
            .skip_taskbar(true)
            .focused(false)
            .center()
            .build();
        match built {
            Ok(_) => true,
            Err(error) => {
                tracing::warn!(%error, "cannot open the incoming-call window");
                false
            }
        }
    }

    fn close_incoming_window(&self, id: &str) {
        if let Some(window) = self.app.get_webview_window(&format!("incoming-{id}"))
            && let Err(error) = window.destroy()
        {
            tracing::warn!(%error, "cannot close the incoming-call window");
        }
    }

    fn show_main_window(&self) {
        show_main(&self.app);
    }

    fn set_badge(&self, count: u32) {
        let tooltip = match count {
            0 => "Ringer".to_owned(),
            1 => "Ringer — 1 missed call".to_owned(),
            n => format!("Ringer — {n} missed calls"),
        };
        if let Some(tray) = self.tray.get() {
            let _ = tray.icon.set_tooltip(Some(tooltip));
        }
        if let Some(window) = self.app.get_webview_window(MAIN) {
            // Only some Linux desktops show badges; the tooltip says it everywhere.
            let _ = window.set_badge_count((count > 0).then_some(i64::from(count)));
        }
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        self.app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|error| error.to_string())
    }

    fn set_autostart(&self, enabled: bool) -> Result<(), String> {
        let launcher = self.app.autolaunch();
        let result = if enabled {
            launcher.enable()
        } else {
            launcher.disable()
        };
        result.map_err(|error| error.to_string())
    }

    fn load_secret(&self, account: &str) -> Result<Option<String>, String> {
        keyring_store::load(account)
    }

    fn store_secret(&self, account: &str, secret: &str) -> Result<(), String> {
        keyring_store::store(account, secret)
    }

    fn delete_secret(&self, account: &str) -> Result<(), String> {
        keyring_store::delete(account)
    }
}

/// Adds the desktop plugins; single-instance first, so a second launch ends before it does
/// anything else.
pub fn plugins(builder: tauri::Builder<Wry>) -> tauri::Builder<Wry> {
    builder
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            // A second launch: the deep-link plugin forwards its URL; bring this one up.
            show_main(app);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![HIDDEN_FLAG]),
        ))
        .on_window_event(|window, event| {
            // Closing the main window keeps the app running in the tray.
            if let WindowEvent::CloseRequested { api, .. } = event
                && window.label() == MAIN
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
}

/// Builds the controller, the tray, the notification actions and the deep-link handler, then
/// starts signing in with the stored token.
pub fn setup(app: &mut tauri::App<Wry>) -> Result<(), Box<dyn std::error::Error>> {
    let handle = app.handle().clone();
    let desktop = Arc::new(TauriIntegration::new(handle.clone()));
    let files = ConfigFiles::new(app.path().app_config_dir()?);
    let integration: Arc<dyn Integration> = desktop.clone();
    let controller: AppController =
        Controller::new(Arc::new(integration), files, Options::default());
    app.manage(controller.clone());

    if std::env::args().any(|arg| arg == HIDDEN_FLAG)
        && let Some(window) = app.get_webview_window(MAIN)
    {
        window.hide()?;
    }

    let tray = build_tray(app, controller.clone())?;
    let _ = desktop.tray.set(tray);

    let notification = app.notification();
    notification.register_action_types(vec![
        ActionType::builder(actions::INCOMING_TYPE)
            .actions(vec![
                Action::builder(actions::ACCEPT, "Accept").build(),
                Action::builder(actions::DECLINE, "Decline").build(),
            ])
            .build(),
    ])?;
    let on_action = controller.clone();
    let ids = desktop.clone();
    notification.on_action(move |performed| {
        let action = performed.action_id().to_owned();
        let invitation = performed
            .notification()
            .and_then(|n| ids.invitation_of(n.id()));
        let controller = on_action.clone();
        tauri::async_runtime::spawn(async move {
            match invitation {
                Some(id) => controller.notification_action(&action, &id).await,
                None => controller.integration().show_main_window(),
            }
        });
    })?;

    #[cfg(any(target_os = "linux", windows))]
    if let Err(error) = app.deep_link().register_all() {
        tracing::warn!(%error, "cannot register the ringer:// scheme");
    }
    let on_link = controller.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            let controller = on_link.clone();
            let url = url.to_string();
            tauri::async_runtime::spawn(async move { controller.open_deep_link(&url).await });
        }
    });
    let launched_with = app
        .deep_link()
        .get_current()
        .ok()
        .flatten()
        .unwrap_or_default();

    tauri::async_runtime::spawn(async move {
        controller.start().await;
        for url in launched_with {
            controller.open_deep_link(url.as_str()).await;
        }
    });
    Ok(())
}

fn build_tray(
    app: &tauri::App<Wry>,
    controller: AppController,
) -> Result<TrayHandles, Box<dyn std::error::Error>> {
    let available =
        CheckMenuItem::with_id(app, "available", "Available", false, false, None::<&str>)?;
    let dnd = CheckMenuItem::with_id(app, "dnd", "Do not disturb", false, false, None::<&str>)?;
    let show = MenuItem::with_id(app, "show", "Show Ringer", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Ringer", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &available,
            &dnd,
            &PredefinedMenuItem::separator(app)?,
            &show,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id("ringer")
        .tooltip("Ringer")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(move |app, event| {
            let status = match event.id().as_ref() {
                "available" => Some(Status::Available),
                "dnd" => Some(Status::Dnd),
                "show" => {
                    show_main(app);
                    None
                }
                "quit" => {
                    app.exit(0);
                    None
                }
                _ => None,
            };
            if let Some(status) = status {
                let controller = controller.clone();
                tauri::async_runtime::spawn(async move {
                    controller.set_status_from_menu(status).await;
                });
            }
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_main(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let icon = builder.build(app)?;
    Ok(TrayHandles {
        icon,
        available,
        dnd,
    })
}

fn show_main(app: &AppHandle<Wry>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}
