import type { ReactNode } from 'react';
import { useUiStore, type PanelTab } from '../store/ui';
import { Inspector } from './layer-form/Inspector';
import { Summary } from './summary/Summary';
import './styles/side-panel.css';

export interface ExtraTab {
  id: PanelTab;
  label: string;
  render(): ReactNode;
  /** Give the content the panel's padding (panels from other owners bring none of their own). */
  padded?: boolean;
}

/** The right-hand panel: the selected layer's form, the model summary, and the training/inspection tabs. */
export function SidePanel({ extraTabs = [] }: { extraTabs?: ExtraTab[] }) {
  const tab = useUiStore((s) => s.tab);
  const setTab = useUiStore((s) => s.setTab);
  const tabs: ExtraTab[] = [
    { id: 'layer', label: 'Layer', render: () => <Inspector /> },
    { id: 'summary', label: 'Summary', render: () => <Summary /> },
    ...extraTabs,
  ];
  const current = tabs.find((t) => t.id === tab) ?? tabs[0];
  return (
    <aside className="side" data-testid="side-panel">
      <nav className="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            aria-selected={t.id === current.id}
            className={`tab${t.id === current.id ? ' active' : ''}`}
            onClick={() => setTab(t.id)}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </nav>
      <div className={`side-body${current.padded ? ' padded' : ''}`} data-testid={`panel-${current.id}`}>
        {current.render()}
      </div>
    </aside>
  );
}
