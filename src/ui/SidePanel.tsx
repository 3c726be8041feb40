import type { ReactNode } from 'react';
import { useUiStore, type PanelTab } from '../store/ui';
import { Icon } from './Icon';
import { Inspector } from './layer-form/Inspector';
import { Summary } from './summary/Summary';
import { PanelResizer } from './Workspace';
import './styles/side-panel.css';

export interface ExtraTab {
  id: PanelTab;
  label: string;
  render(): ReactNode;
  /** Give the content the panel's padding (panels from other owners bring none of their own). */
  padded?: boolean;
}

/**
 * The right-hand panel: the selected layer's form, the model summary, and the training/inspection tabs. Folded, it is a
 * rail of the same tabs, each of which opens it again.
 */
export function SidePanel({ extraTabs = [] }: { extraTabs?: ExtraTab[] }) {
  const tab = useUiStore((s) => s.tab);
  const setTab = useUiStore((s) => s.setTab);
  const open = useUiStore((s) => s.panels.sideOpen);
  const setPanels = useUiStore((s) => s.setPanels);
  const tabs: ExtraTab[] = [
    { id: 'layer', label: 'Layer', render: () => <Inspector /> },
    { id: 'summary', label: 'Summary', render: () => <Summary /> },
    ...extraTabs,
  ];
  const current = tabs.find((t) => t.id === tab) ?? tabs[0];
  const tabButtons = tabs.map((t) => (
    <button
      key={t.id}
      role="tab"
      id={`tab-${t.id}`}
      aria-selected={open && t.id === current.id}
      aria-controls={open && t.id === current.id ? 'side-panel-body' : undefined}
      className={`tab${open && t.id === current.id ? ' active' : ''}`}
      onClick={() => {
        setTab(t.id);
        if (!open) setPanels({ sideOpen: true });
      }}
      data-testid={`tab-${t.id}`}
    >
      {t.label}
    </button>
  ));
  if (!open) {
    return (
      <aside className="side rail" data-testid="side-panel" aria-label="Side panel (hidden)">
        <button className="btn icon rail-btn" title="Show the side panel" aria-label="Show the side panel" aria-expanded={false} data-testid="side-open" onClick={() => setPanels({ sideOpen: true })}>
          <Icon name="panelLeft" />
        </button>
        <nav className="tabs vertical" role="tablist" aria-orientation="vertical" aria-label="Side panel tabs">
          {tabButtons}
        </nav>
      </aside>
    );
  }
  return (
    <aside className="side" data-testid="side-panel" aria-label="Side panel">
      <PanelResizer panel="side" label="Resize the side panel" />
      <div className="tabs-row">
        <nav className="tabs" role="tablist" aria-label="Side panel tabs">
          {tabButtons}
        </nav>
        <button className="btn icon side-close" title="Hide the side panel" aria-label="Hide the side panel" aria-expanded data-testid="side-close" onClick={() => setPanels({ sideOpen: false })}>
          <Icon name="panelRight" />
        </button>
      </div>
      <div className={`side-body${current.padded ? ' padded' : ''}`} id="side-panel-body" role="tabpanel" tabIndex={0} aria-labelledby={`tab-${current.id}`} data-testid={`panel-${current.id}`}>
        {current.render()}
      </div>
    </aside>
  );
}
