/**
 * An invitation ringing here: caller, content, Accept / Decline / Silence. An alert dialog that
 * takes keyboard focus inside its own window (Enter or A accepts, Escape or D declines, S
 * silences) and gives it back when it closes.
 */

import { useEffect, useRef, useState } from 'preact/hooks';

import type { IncomingCall } from '../api';
import { useApi, useReport, useTone } from '../context';
import { Avatar } from './Avatar';
import { Icon } from './Icon';

export interface IncomingDialogProps {
  invitation: IncomingCall;
  /** The user's sounds setting. */
  sounds: boolean;
  /** How many other invitations ring behind this one. */
  more?: number;
  /** Rendered alone in the popup window (no backdrop). */
  standalone?: boolean;
}

export function IncomingDialog({ invitation: inv, sounds, more = 0, standalone = false }: IncomingDialogProps) {
  const api = useApi();
  const report = useReport();
  const [silencedHere, setSilencedHere] = useState(false);
  const [acting, setActing] = useState(false);
  const dialogRef = useRef<HTMLDivElement>(null);

  const ringing = inv.state === 'ringing';
  const silenced = inv.silenced || silencedHere;
  const disabled = !ringing || acting;
  const name = inv.callerName || inv.caller;
  useTone('ringtone', sounds && ringing && !silenced);

  const accept = (): void => {
    if (disabled) return;
    setActing(true);
    api
      .acceptInvitation(inv.id)
      .catch(report)
      .finally(() => setActing(false));
  };
  const decline = (): void => {
    if (disabled) return;
    setActing(true);
    api
      .refuseInvitation(inv.id)
      .catch(report)
      .finally(() => setActing(false));
  };
  const silence = (): void => {
    if (silenced) return;
    setSilencedHere(true);
    void api.silenceInvitation(inv.id).catch(report);
  };

  // Move focus in on open, give it back on close.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    // The dialog itself, not a button: a keystroke meant for something else must not answer.
    dialogRef.current?.focus();
    return () => {
      if (before && document.contains(before)) before.focus();
    };
  }, []);

  // Keys work wherever focus is in this window, since the dialog is the thing that matters now.
  const handlers = useRef({ accept, decline, silence });
  handlers.current = { accept, decline, silence };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      // Enter and Space on a focused button activate that button, not the shortcut.
      if (target?.tagName === 'BUTTON' && (e.key === 'Enter' || e.key === ' ')) return;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA') && e.key !== 'Escape') return;
      const h = handlers.current;
      switch (e.key) {
        case 'Enter':
        case 'a':
        case 'A':
          h.accept();
          break;
        case 'Escape':
        case 'd':
        case 'D':
          h.decline();
          break;
        case 's':
        case 'S':
          h.silence();
          break;
        case 'Tab':
          trapTab(e, dialogRef.current);
          return;
        default:
          return;
      }
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const titleId = `in-title-${inv.id}`;
  const descId = `in-desc-${inv.id}`;
  const contentId = `in-content-${inv.id}`;
  const dialog = (
    <div
      ref={dialogRef}
      class={`incoming${standalone ? ' standalone' : ' card'}`}
      role="alertdialog"
      aria-modal={standalone ? undefined : true}
      aria-labelledby={titleId}
      aria-describedby={inv.content ? `${descId} ${contentId}` : descId}
      tabIndex={-1}
      data-state={inv.state}
    >
      <div class="call-head">
        <Avatar name={name} />
        <div class="call-text">
          <h2 id={titleId} class="call-title">
            {name}
          </h2>
          <p id={descId} class="call-sub">
            {ringing ? 'is calling you' : 'Connecting…'}
          </p>
          {inv.content && (
            <p id={contentId} class="content">
              {inv.content}
            </p>
          )}
        </div>
      </div>
      <div class="actions">
        <button type="button" class="btn danger" onClick={decline} disabled={disabled} aria-keyshortcuts="Escape D">
          <Icon name="phone-down" />
          <span>Decline</span>
        </button>
        <button
          type="button"
          class="btn ghost"
          onClick={silence}
          disabled={!ringing || silenced}
          aria-keyshortcuts="S"
        >
          <Icon name="bell-off" />
          <span>{silenced ? 'Silenced' : 'Silence'}</span>
        </button>
        <button
          type="button"
          class="btn accept"
          onClick={accept}
          disabled={disabled}
          aria-keyshortcuts="Enter A"
        >
          <Icon name="phone" />
          <span>Accept</span>
        </button>
      </div>
      {more > 0 && <p class="more">{more === 1 ? '1 more call waiting' : `${more} more calls waiting`}</p>}
    </div>
  );

  if (standalone) return dialog;
  return <div class="backdrop">{dialog}</div>;
}

/** Keeps Tab and Shift+Tab cycling inside the dialog. */
function trapTab(e: KeyboardEvent, root: HTMLElement | null): void {
  if (!root) return;
  const items = Array.from(root.querySelectorAll<HTMLElement>('button:not([disabled])'));
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) {
    e.preventDefault();
    root.focus();
    return;
  }
  const active = document.activeElement;
  if (e.shiftKey && (active === first || !root.contains(active))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || !root.contains(active))) {
    e.preventDefault();
    first.focus();
  }
}
