// lz-string is CommonJS: Node's ESM loader (tsx, the fuzzer) offers only its default export; Vite accepts both.
import LZString from 'lz-string';
import { importText } from '../graph/import';
import { parseProject, serializeProject } from '../graph/project';
import type { ProjectFileV1 } from '../graph/types';
import { emptyProject, freshId, useDocStore } from './doc';
import { guessDirection, useUiStore } from './ui';

/** One saved project as the project list shows it. */
export interface ProjectEntry {
  id: string;
  name: string;
  updatedAt: number;
  nodeCount: number;
}

const INDEX_KEY = 'convas.projects.v1';
const CURRENT_KEY = 'convas.current.v1';
const projectKey = (id: string) => `convas.project.v1.${id}`;
const SHARE_PREFIX = '#share=';
const AUTOSAVE_MS = 400;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** Saved projects, most recently edited first. */
export function listProjects(): ProjectEntry[] {
  const raw = storage()?.getItem(INDEX_KEY);
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return [];
    return (list as ProjectEntry[])
      .filter((e) => e && typeof e.id === 'string' && typeof e.name === 'string')
      .sort((a, b) => b.updatedAt - a.updatedAt);
  } catch {
    return [];
  }
}

function writeIndex(list: ProjectEntry[]): void {
  storage()?.setItem(INDEX_KEY, JSON.stringify(list));
}

/** Saves a project under `id` (with the viewport) and makes it the one reopened on the next visit. */
export function saveProject(id: string, project: ProjectFileV1): { ok: true } | { ok: false; error: string } {
  const st = storage();
  if (!st) return { ok: false, error: 'browser storage is not available' };
  try {
    st.setItem(projectKey(id), serializeProject(project));
    const list = listProjects().filter((e) => e.id !== id);
    list.unshift({ id, name: project.name, updatedAt: Date.now(), nodeCount: project.graph.nodes.length });
    writeIndex(list);
    st.setItem(CURRENT_KEY, id);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: `could not save to browser storage (${(e as Error).message})` };
  }
}

/** Reads a saved project; undefined when missing or unreadable. */
export function loadProject(id: string): ProjectFileV1 | undefined {
  const raw = storage()?.getItem(projectKey(id));
  if (!raw) return undefined;
  try {
    const r = parseProject(JSON.parse(raw));
    return r.ok ? r.value : undefined;
  } catch {
    return undefined;
  }
}

export function deleteProject(id: string): void {
  storage()?.removeItem(projectKey(id));
  writeIndex(listProjects().filter((e) => e.id !== id));
}

/** The current document with its live viewport, as it is saved and exported. */
export function currentProject(): ProjectFileV1 {
  const s = useDocStore.getState();
  return s.viewport ? { ...s.project, viewport: s.viewport } : s.project;
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** Writes the current project now (used on unload and before switching projects). */
export function flushAutosave(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  const s = useDocStore.getState();
  if (s.project.graph.nodes.length === 0 && !listProjects().some((e) => e.id === s.projectId)) return;
  const r = saveProject(s.projectId, currentProject());
  useUiStore.getState().set(r.ok ? { savedAt: Date.now(), saveError: null } : { saveError: r.error });
}

/** Debounced autosave of the current project whenever the document or the viewport changes. */
export function startAutosave(): () => void {
  const unsub = useDocStore.subscribe((s, prev) => {
    if (s.project === prev.project && s.viewport === prev.viewport && s.projectId === prev.projectId) return;
    if (s.projectId !== prev.projectId) {
      // Another project was opened (by any route): keep the pending edits of the one left, and list the new one.
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
        saveProject(prev.projectId, prev.viewport ? { ...prev.project, viewport: prev.viewport } : prev.project);
      }
      if (s.project.graph.nodes.length && !listProjects().some((e) => e.id === s.projectId)) flushAutosave();
      return;
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(flushAutosave, AUTOSAVE_MS);
  });
  const onHide = () => flushAutosave();
  window.addEventListener('pagehide', onHide);
  window.addEventListener('beforeunload', onHide);
  return () => {
    unsub();
    window.removeEventListener('pagehide', onHide);
    window.removeEventListener('beforeunload', onHide);
  };
}

/** Opens a project as the current one, saving the one being left first. */
export function openProject(p: ProjectFileV1, id = freshId('p')): void {
  flushAutosave();
  useDocStore.getState().replaceProject(p, id);
}

/** A URL that opens the given project: the file, lz-string compressed, in the hash. */
export function shareUrl(p: ProjectFileV1, base = `${location.origin}${location.pathname}`): string {
  return `${base}${SHARE_PREFIX}${LZString.compressToEncodedURIComponent(serializeProject(p))}`;
}

/**
 * Decodes a `#share=` hash; an error message when it is not a readable project. A link comes from someone else,
 * so it passes the same checks as an imported file (`importText`: nesting depth, sizes, forbidden keys).
 */
export function decodeShare(hash: string): { ok: true; project: ProjectFileV1 } | { ok: false; error: string } {
  const text = LZString.decompressFromEncodedURIComponent(hash.slice(SHARE_PREFIX.length));
  if (!text) return { ok: false, error: 'the shared link is damaged (it could not be decompressed)' };
  try {
    JSON.parse(text);
  } catch {
    return { ok: false, error: 'the shared link is damaged (not valid JSON)' };
  }
  const r = importText(text);
  if (!r.ok) return { ok: false, error: `the shared link holds an invalid project: ${r.errors.join('; ')}` };
  if (r.value.source !== 'convas') return { ok: false, error: 'the shared link holds a Keras model, not a Convas project' };
  return { ok: true, project: r.value.project };
}

/** Opens a `#share=` hash as a new project (the user's own projects stay as they are); returns what to tell the user. */
export function openShared(hash: string): { kind: 'error' | 'info'; text: string } {
  const r = decodeShare(hash);
  if (!r.ok) return { kind: 'error', text: r.error };
  const name = r.project.name.endsWith('(shared)') ? r.project.name : `${r.project.name} (shared)`;
  openProject({ ...r.project, name });
  useUiStore.getState().set({ direction: guessDirection(r.project.graph) });
  return { kind: 'info', text: `Opened a shared design as the new project “${name}”; your other projects are untouched.` };
}

/** Handles a share link pasted into the address bar of an open editor. */
export function watchShareLinks(onOpened: (message: { kind: 'error' | 'info'; text: string }, project: ProjectFileV1) => void): () => void {
  const onHash = () => {
    if (!location.hash.startsWith(SHARE_PREFIX)) return;
    const message = openShared(location.hash);
    history.replaceState(null, '', location.pathname + location.search);
    onOpened(message, useDocStore.getState().project);
  };
  window.addEventListener('hashchange', onHash);
  return () => window.removeEventListener('hashchange', onHash);
}

export interface BootOptions {
  getPreset(id: string): ProjectFileV1 | undefined;
}

/**
 * Chooses what the app opens with: a `#share=` link (as a new project, keeping the user's own work),
 * a `?preset=` id, or the last project edited. Removes the hash/query afterwards so a reload keeps editing.
 * Returns a message to show, if any.
 */
export function boot({ getPreset }: BootOptions): { kind: 'error' | 'info'; text: string } | undefined {
  const url = new URL(location.href);
  let message: { kind: 'error' | 'info'; text: string } | undefined;
  let opened = false;
  if (url.hash.startsWith(SHARE_PREFIX)) {
    message = openShared(url.hash);
    opened = message.kind === 'info';
    url.hash = '';
  }
  const presetId = url.searchParams.get('preset');
  if (presetId !== null) {
    if (!opened) {
      const p = getPreset(presetId);
      if (p) {
        openProject(p);
        opened = true;
      } else message = { kind: 'error', text: `there is no preset named “${presetId}”` };
    }
    url.searchParams.delete('preset');
  }
  if (url.href !== location.href) history.replaceState(null, '', url.pathname + url.search);
  if (!opened) {
    const current = storage()?.getItem(CURRENT_KEY);
    const p = current ? loadProject(current) : undefined;
    if (p && current) useDocStore.getState().replaceProject(p, current);
    else useDocStore.getState().replaceProject(emptyProject(), freshId('p'));
  }
  useUiStore.getState().set({ direction: guessDirection(useDocStore.getState().project.graph) });
  return message;
}
