/** Errors no form is waiting for: the backend's `error` event and failed commands. */

import type { AppError } from '../api';
import { errorText } from '../format';
import { Icon } from './Icon';

export interface Toast {
  key: number;
  error: AppError;
}

export function Toasts({ toasts, onClose }: { toasts: Toast[]; onClose: (key: number) => void }) {
  if (toasts.length === 0) return null;
  return (
    <div class="toasts" role="alert" aria-live="assertive">
      {toasts.map((t) => (
        <div class="toast" key={t.key}>
          <span>{errorText(t.error)}</span>
          <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => onClose(t.key)}>
            <Icon name="x" />
          </button>
        </div>
      ))}
    </div>
  );
}
