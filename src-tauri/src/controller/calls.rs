//! The user's commands about calls, status and settings.

use ringer_client::Invite;
use ringer_proto::{ChannelId, Content, ErrorCode, InvitationId, Status, Uid};

use super::links::{check_template, deep_link_uid};
use super::session::HISTORY_LIMIT;
use super::{Controller, Effect, Meta, lock};
use crate::error::AppError;
use crate::integration::{Integration, actions};
use crate::payload::{
    CallDirection, CallRecord, CallState, IncomingState, OutgoingCall, OutgoingState, Settings,
    SettingsPatch, UiEvent,
};

impl<I: Integration> Controller<I> {
    /// Calls `uid`; the backend picks the invitation id (UUID v4) and the channel.
    pub async fn send_invitation(
        &self,
        uid: String,
        content: Option<String>,
    ) -> Result<OutgoingCall, AppError> {
        let client = self.client()?;
        let callee = Uid::new(uid.trim()).map_err(|e| AppError::invalid_argument(e.to_string()))?;
        let content = content
            .filter(|text| !text.trim().is_empty())
            .map(Content::new)
            .transpose()
            .map_err(|e| AppError::Code {
                code: if e.is_too_large() {
                    ErrorCode::TooLarge
                } else {
                    ErrorCode::InvalidArgument
                },
                message: e.to_string(),
            })?;
        let id = InvitationId::new(uuid::Uuid::new_v4().to_string())
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let channel = ChannelId::new(format!("ringer-{}", uuid::Uuid::new_v4().simple()))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let entry = self.update(|st, fx| {
            if st.session.uid.as_deref() == Some(callee.as_str()) {
                return Err(AppError::invalid_argument("you cannot call yourself"));
            }
            let entry = OutgoingCall {
                id: id.as_str().to_owned(),
                peer: callee.as_str().to_owned(),
                peer_name: st.peer_name(callee.as_str()),
                state: OutgoingState::Calling,
                reason: None,
                error: None,
                response: None,
                content: content.as_ref().map(|c| c.as_str().to_owned()),
            };
            // Recorded before sending, so that the engine's first event finds it.
            st.invitations.insert(
                entry.id.clone(),
                Meta {
                    peer: entry.peer.clone(),
                    peer_name: entry.peer_name.clone(),
                    direction: CallDirection::Outgoing,
                    channel: Some(channel.as_str().to_owned()),
                },
            );
            st.outgoing.push(entry.clone());
            fx.emit(UiEvent::Outgoing(st.outgoing.clone()));
            Ok(entry)
        })?;
        let invite = Invite {
            id,
            callee,
            content,
            channel_id: Some(channel),
        };
        if let Err(error) = client.send(invite).await {
            self.update(|st, fx| {
                st.outgoing.retain(|call| call.id != entry.id);
                st.invitations.remove(&entry.id);
                fx.emit(UiEvent::Outgoing(st.outgoing.clone()));
            });
            return Err(error.into());
        }
        Ok(entry)
    }

    /// Cancels an invitation this device sent.
    pub async fn cancel_invitation(&self, id: String) -> Result<(), AppError> {
        let client = self.client()?;
        client.cancel(parse_id(&id)?).await.map_err(AppError::from)
    }

    /// Accepts an invitation ringing here.
    pub async fn accept_invitation(&self, id: String) -> Result<(), AppError> {
        let client = self.client()?;
        let invitation = parse_id(&id)?;
        self.update(|st, fx| {
            if let Some(call) = st.incoming.iter_mut().find(|call| call.id == id) {
                call.state = IncomingState::Accepting;
                fx.emit(UiEvent::Incoming(st.incoming.clone()));
            }
            fx.push(Effect::Withdraw(id.clone()));
        });
        let accepted = client.accept(invitation, None).await;
        if let Err(error) = accepted {
            // Still listed: the engine changed nothing, so it rings again.
            self.update(|st, fx| {
                if let Some(call) = st
                    .incoming
                    .iter_mut()
                    .find(|call| call.id == id && call.state == IncomingState::Accepting)
                {
                    call.state = IncomingState::Ringing;
                    fx.emit(UiEvent::Incoming(st.incoming.clone()));
                }
            });
            return Err(error.into());
        }
        Ok(())
    }

    /// Declines an invitation ringing here.
    pub async fn refuse_invitation(&self, id: String) -> Result<(), AppError> {
        let client = self.client()?;
        let invitation = parse_id(&id)?;
        self.inner.integration.withdraw(&id);
        client
            .refuse(invitation, None, None)
            .await
            .map_err(AppError::from)
    }

    /// Stops the ringtone of an invitation in every window; it keeps ringing otherwise.
    pub fn silence_invitation(&self, id: &str) -> Result<(), AppError> {
        self.update(|st, fx| {
            let call = st
                .incoming
                .iter_mut()
                .find(|call| call.id == id)
                .ok_or(AppError::Code {
                    code: ErrorCode::AlreadyEnd,
                    message: "this call is no longer ringing".into(),
                })?;
            if !call.silenced {
                call.silenced = true;
                fx.emit(UiEvent::Incoming(st.incoming.clone()));
            }
            Ok(())
        })
    }

    /// Hangs up a live call.
    pub async fn hang_up(&self, id: String) -> Result<(), AppError> {
        let client = self.client()?;
        client.hang_up(parse_id(&id)?).await.map_err(AppError::from)
    }

    /// Forgets a finished outgoing invitation or an ended call.
    pub fn dismiss(&self, id: &str) {
        self.update(|st, fx| {
            let before = st.outgoing.len();
            st.outgoing.retain(|call| {
                call.id != id
                    || matches!(call.state, OutgoingState::Calling | OutgoingState::Ringing)
            });
            if st.outgoing.len() != before {
                fx.emit(UiEvent::Outgoing(st.outgoing.clone()));
            }
            let before = st.calls.len();
            st.calls
                .retain(|call| call.id != id || call.state == CallState::Active);
            if st.calls.len() != before {
                fx.emit(UiEvent::Calls(st.calls.clone()));
            }
        });
    }

    /// Opens a call's meeting link in the browser.
    pub fn open_meeting(&self, id: &str) -> Result<(), AppError> {
        let url = {
            let st = lock(&self.inner.state);
            st.calls
                .iter()
                .find(|call| call.id == id)
                .ok_or_else(|| AppError::invalid_argument("no such call"))?
                .meeting_url
                .clone()
                .ok_or_else(|| AppError::invalid_argument("no meeting link is configured"))?
        };
        self.inner
            .integration
            .open_url(&url)
            .map_err(|error| AppError::Internal(format!("cannot open {url}: {error}")))
    }

    /// The user's call history, newest first.
    pub async fn get_history(&self, limit: Option<u32>) -> Result<Vec<CallRecord>, AppError> {
        let client = self.client()?;
        let limit = limit.unwrap_or(HISTORY_LIMIT);
        let records = client.history(Some(limit)).await?;
        Ok(self.update(|st, _| {
            records
                .into_iter()
                .map(|record| {
                    let name = st
                        .directory
                        .iter()
                        .find(|e| e.uid == record.peer.as_str())
                        .map(|e| e.display_name.clone());
                    super::session::to_record(record, name)
                })
                .collect()
        }))
    }

    /// Sets the user's status; the change arrives as a `session` event once confirmed.
    pub async fn set_status(&self, status: Status) -> Result<(), AppError> {
        let client = self.client()?;
        client
            .set_status(status, None)
            .await
            .map_err(AppError::from)
    }

    /// Sets the user's status from a menu whose check marks toggle themselves when clicked (the
    /// tray's). Once confirmed, the status arrives as a `session` event, which sets the marks;
    /// the session is not sent from here then, because one read before that event was applied
    /// would overwrite the confirmed status with the old one. On failure nothing changed, so the
    /// current session is sent again to put the marks back, after the error.
    pub async fn set_status_from_menu(&self, status: Status) {
        if let Err(error) = self.set_status(status).await {
            let integration = self.integration();
            integration.emit(UiEvent::Error(error));
            integration.emit(UiEvent::Session(self.app_state().session));
        }
    }

    /// Stars or unstars a teammate.
    pub fn set_favourite(&self, uid: &str, favourite: bool) -> Result<(), AppError> {
        Uid::new(uid).map_err(|e| AppError::invalid_argument(e.to_string()))?;
        self.update(|st, fx| {
            let known = st.settings.favourites.iter().any(|f| f == uid);
            if known == favourite {
                return Ok(());
            }
            if favourite {
                st.settings.favourites.push(uid.to_owned());
            } else {
                st.settings.favourites.retain(|f| f != uid);
            }
            self.save_settings(&st.settings)?;
            fx.emit(UiEvent::Settings(st.settings.clone()));
            Ok(())
        })
    }

    /// Changes and stores settings; call waiting also goes to the server.
    pub async fn update_settings(&self, patch: SettingsPatch) -> Result<Settings, AppError> {
        if let Some(template) = &patch.meeting_link_template {
            check_template(template).map_err(AppError::invalid_argument)?;
        }
        if let Some(enabled) = patch.start_at_login {
            let current = lock(&self.inner.state).settings.start_at_login;
            if enabled != current {
                self.inner.integration.set_autostart(enabled).map_err(|e| {
                    AppError::Internal(format!("cannot change start at login: {e}"))
                })?;
            }
        }
        let (settings, call_waiting_changed, status) = self.update(|st, fx| {
            let before = st.settings.clone();
            let s = &mut st.settings;
            if let Some(sounds) = patch.sounds {
                s.sounds = sounds;
            }
            if let Some(call_waiting) = patch.call_waiting {
                s.call_waiting = call_waiting;
            }
            if let Some(template) = &patch.meeting_link_template {
                s.meeting_link_template = template.trim().to_owned();
            }
            if let Some(enabled) = patch.start_at_login {
                s.start_at_login = enabled;
            }
            if st.settings != before {
                self.save_settings(&st.settings)?;
                fx.emit(UiEvent::Settings(st.settings.clone()));
            }
            Ok::<_, AppError>((
                st.settings.clone(),
                st.settings.call_waiting != before.call_waiting,
                st.session.status.unwrap_or(Status::Available),
            ))
        })?;
        if call_waiting_changed && let Ok(client) = self.client() {
            client
                .set_status(status, Some(settings.call_waiting))
                .await
                .map_err(AppError::from)?;
        }
        Ok(settings)
    }

    /// Handles a `ringer://call/<uid>` link: brings the window up and calls `uid`.
    pub async fn open_deep_link(&self, url: &str) {
        self.inner.integration.show_main_window();
        let result = match deep_link_uid(url) {
            Ok(uid) => self.send_invitation(uid, None).await.map(drop),
            Err(message) => Err(AppError::invalid_argument(message)),
        };
        if let Err(error) = result {
            tracing::warn!(%error, %url, "deep link failed");
            self.inner.integration.emit(UiEvent::Error(error));
        }
    }

    /// Handles a click on a notification: Accept, Decline, or the notification itself.
    pub async fn notification_action(&self, action: &str, id: &str) {
        let result = match action {
            actions::ACCEPT => {
                self.inner.integration.show_main_window();
                self.accept_invitation(id.to_owned()).await
            }
            actions::DECLINE => self.refuse_invitation(id.to_owned()).await,
            _ => {
                self.inner.integration.show_main_window();
                Ok(())
            }
        };
        if let Err(error) = result {
            tracing::warn!(%error, %action, %id, "notification action failed");
            self.inner.integration.emit(UiEvent::Error(error));
        }
    }

    fn save_settings(&self, settings: &Settings) -> Result<(), AppError> {
        self.inner
            .files
            .save_settings(settings)
            .map_err(|e| AppError::Internal(format!("cannot save the settings: {e}")))
    }
}

fn parse_id(id: &str) -> Result<InvitationId, AppError> {
    InvitationId::new(id).map_err(|e| AppError::invalid_argument(e.to_string()))
}
