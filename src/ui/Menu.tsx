import { useEffect, useRef, useState, type ReactNode } from 'react';
import './styles/toolbar.css';

/** A toolbar button that opens a dropdown; closes on outside click, Escape or after a choice. */
export function Menu({
  label,
  title,
  testid,
  align = 'left',
  children,
}: {
  label: ReactNode;
  title?: string;
  testid?: string;
  align?: 'left' | 'right';
  children(close: () => void): ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className="menu-wrap" ref={ref}>
      <button className={`btn${open ? ' active' : ''}`} title={title} onClick={() => setOpen((o) => !o)} data-testid={testid} aria-haspopup="menu" aria-expanded={open}>
        {label}
        <span className="muted" aria-hidden>
          ▾
        </span>
      </button>
      {open && (
        <div className={`menu${align === 'right' ? ' right' : ''}`} role="menu">
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}

export function MenuItem({ title, sub, onClick, testid, data, disabled }: { title: ReactNode; sub?: ReactNode; onClick(): void; testid?: string; data?: Record<`data-${string}`, string>; disabled?: boolean }) {
  return (
    <button className="menu-item" role="menuitem" onClick={onClick} data-testid={testid} disabled={disabled} {...data}>
      <div className="menu-item-title">{title}</div>
      {sub && <div className="menu-item-sub">{sub}</div>}
    </button>
  );
}
