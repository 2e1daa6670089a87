import { clearMocks, mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { COMMANDS, tauriApi, toAppError } from '../src/api';

describe('api.ts over Tauri IPC', () => {
  let calls: Array<{ cmd: string; args: unknown }>;

  beforeEach(() => {
    calls = [];
    mockWindows('main');
  });
  afterEach(() => clearMocks());

  function record(reply: (cmd: string) => unknown = () => null): void {
    mockIPC(
      (cmd, args) => {
        calls.push({ cmd, args });
        return reply(cmd);
      },
      { shouldMockEvents: true },
    );
  }

  it('sends every command under its snake_case name with camelCase args', async () => {
    record((cmd) => (cmd === 'get_history' ? [] : cmd === 'update_settings' ? { sounds: false } : null));
    await tauriApi.getState();
    await tauriApi.signIn({ serverUrl: 'wss://s', uid: 'sam', password: 'pw' });
    await tauriApi.signOut();
    await tauriApi.setStatus('dnd');
    await tauriApi.setFavourite('bob', true);
    await tauriApi.updateSettings({ sounds: false, meetingLinkTemplate: 'https://m/{channel}' });
    await tauriApi.sendInvitation('bob');
    await tauriApi.sendInvitation('bob', 'hi');
    await tauriApi.cancelInvitation('i1');
    await tauriApi.acceptInvitation('i2');
    await tauriApi.refuseInvitation('i3');
    await tauriApi.silenceInvitation('i4');
    await tauriApi.hangUp('i5');
    await tauriApi.dismiss('i6');
    await tauriApi.openMeeting('i7');
    await tauriApi.getHistory(50);
    await tauriApi.markMissedSeen();

    const strip = (a: unknown) => {
      // Tauri may add its own fields to an empty args object; only ours matter here.
      if (!a || typeof a !== 'object') return {};
      return Object.fromEntries(Object.entries(a as Record<string, unknown>).filter(([k]) => !k.startsWith('__')));
    };
    expect(calls.map((c) => [c.cmd, strip(c.args)])).toEqual([
      ['get_state', {}],
      ['sign_in', { serverUrl: 'wss://s', uid: 'sam', password: 'pw' }],
      ['sign_out', {}],
      ['set_status', { status: 'dnd' }],
      ['set_favourite', { uid: 'bob', favourite: true }],
      ['update_settings', { patch: { sounds: false, meetingLinkTemplate: 'https://m/{channel}' } }],
      ['send_invitation', { uid: 'bob', content: null }],
      ['send_invitation', { uid: 'bob', content: 'hi' }],
      ['cancel_invitation', { id: 'i1' }],
      ['accept_invitation', { id: 'i2' }],
      ['refuse_invitation', { id: 'i3' }],
      ['silence_invitation', { id: 'i4' }],
      ['hang_up', { id: 'i5' }],
      ['dismiss', { id: 'i6' }],
      ['open_meeting', { id: 'i7' }],
      ['get_history', { limit: 50 }],
      ['mark_missed_seen', {}],
    ]);
    // Every name in COMMANDS was exercised.
    expect(new Set(calls.map((c) => c.cmd))).toEqual(new Set(Object.values(COMMANDS)));
  });

  it('turns a command error into an AppError', async () => {
    mockIPC(() => {
      throw { code: 'bad_credentials', message: 'bad credentials' };
    });
    await expect(tauriApi.signIn({ serverUrl: 'wss://s', uid: 'u', password: 'p' })).rejects.toEqual({
      code: 'bad_credentials',
      message: 'bad credentials',
    });
  });

  it('wraps a plain string rejection', async () => {
    mockIPC(() => {
      throw 'boom';
    });
    await expect(tauriApi.hangUp('x')).rejects.toEqual({ code: 'internal', message: 'boom' });
  });

  it('delivers backend events to `on` handlers and stops after unsubscribing', async () => {
    record();
    const seen = vi.fn();
    const unsub = await tauriApi.on('presence', seen);
    await emit('presence', { uid: 'bob', presence: 'online' });
    expect(seen).toHaveBeenCalledWith({ uid: 'bob', presence: 'online' });
    unsub();
    await emit('presence', { uid: 'bob', presence: 'offline' });
    expect(seen).toHaveBeenCalledTimes(1);
  });
});

describe('toAppError', () => {
  it('keeps code and message, and never invents an empty one', () => {
    expect(toAppError({ code: 'x', message: 'y' })).toEqual({ code: 'x', message: 'y' });
    expect(toAppError(new Error('e'))).toEqual({ code: 'internal', message: 'e' });
    expect(toAppError(undefined).message).not.toBe('');
  });
});
