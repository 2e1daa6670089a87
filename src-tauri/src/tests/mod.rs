//! The app's tests: the controller against a recorder and a real server on 127.0.0.1:0, and
//! the commands through Tauri's mock runtime.

mod commands;
mod connection;
mod controller;
mod dnd;
mod recorder;
mod server;
mod status_menu;
