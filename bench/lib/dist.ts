/**
 * hopthu's own functions as the server under test runs them: loaded from the dist/ build
 * (typed from src/), so the bench never mixes a newer src/ with an older running server.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export async function fromDist<T>(relative: string): Promise<T> {
  return (await import(pathToFileURL(path.join(ROOT, 'dist', relative)).href)) as T;
}
