import { useRef } from 'react';
import type { ProjectFileV1 } from '../../graph/types';
import { lazyPart } from '../lazy/Loading';
import { Menu } from '../Menu';

// The generators, diagram and tfjs code behind the entries load when the menu is first opened.
const ExportItems = lazyPart(() => import('./ExportItems').then((m) => m.default), 'the export formats', 'Loading export…', 'loading-export');

/**
 * The toolbar's Export menu: Keras and PyTorch scripts, tfjs artifacts (trained weights when the Train panel has
 * them), the diagram as SVG or PNG (drawn from the document, not a screenshot of the canvas), and importing tfjs
 * artifacts back as a new project with its weights. The entries live in ExportItems.tsx; until its chunk has arrived
 * the open menu shows a loading line.
 */
export function ExportMenu({ project }: { project: ProjectFileV1 }) {
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <>
      <Menu label="Export" testid="menu-export" align="right">
        {(close) => (
          <ExportItems project={project} close={close} chooseTfjsFiles={() => fileInput.current?.click()} />
        )}
      </Menu>
      <input
        ref={fileInput}
        type="file"
        accept=".json,.bin"
        multiple
        hidden
        data-testid="import-tfjs-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) void import('./ExportItems').then((m) => m.importTfjsFiles(files));
        }}
      />
    </>
  );
}
