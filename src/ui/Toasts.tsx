import { useUiStore } from '../store/ui';
import './styles/toasts.css';

/** Messages: confirmations leave by themselves, errors stay until dismissed; a repeated message shows once with ×N. */
export function Toasts() {
  const toasts = useUiStore((s) => s.toasts);
  const dismiss = useUiStore((s) => s.dismissToast);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} data-testid="toast" data-kind={t.kind} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span>{t.text}</span>
          {t.count > 1 && (
            <b className="toast-count" data-testid="toast-count" title={`Raised ${t.count} times`}>
              ×{t.count}
            </b>
          )}
          <button className="toast-close" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
