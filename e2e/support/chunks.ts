import { readFileSync } from 'node:fs';
import type { Page, Request } from '@playwright/test';
import { firstScreenChunks, LAZY_PREFIXES, type Manifest } from '../../scripts/first-load-budget';

/** The script files (paths such as /assets/index-x.js) the page has requested so far, in order. */
export function recordScripts(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r: Request) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.js')) urls.push(path);
  });
  return urls;
}

/** The chunks dist/index.html loads statically, by path, from the build's manifest. */
export function firstScreenFiles(): Set<string> {
  const manifest = JSON.parse(readFileSync('dist/.vite/manifest.json', 'utf8')) as Manifest;
  return new Set(firstScreenChunks(manifest).map((c) => `/${c.file}`));
}

/** Whether a script path is a chunk holding tfjs, recharts or elkjs (named so by vite.config.ts). */
export const isLazyLibrary = (path: string): boolean => LAZY_PREFIXES.some((p) => path.split('/').pop()!.startsWith(p));

/**
 * Holds back requests for scripts whose file name matches `name` until `release()` is called, so a story can see the
 * loading state a slow line shows (on localhost the chunk would arrive before anyone could look).
 */
export async function holdScripts(page: Page, name: RegExp): Promise<{ release(): void }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.route(
    (url) => url.pathname.endsWith('.js') && name.test(url.pathname.split('/').pop()!),
    async (route) => {
      await released;
      await route.continue();
    },
  );
  return { release };
}
