import { HeliosError } from '../../core/errors/heliosError';

const DISK_FULL: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);
const UNWRITABLE: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ELOOP', 'ENAMETOOLONG']);

/**
 * A failed write of Helios's own state as a typed error: `disk_full` (ENOSPC, a quota) or
 * `state_unwritable` (permissions, a read-only disk, a file where a folder should be), with the path
 * and the errno code, so each front can say what happened and what to do. Anything else is
 * returned as it was.
 */
export function storageError(error: unknown, path: string): unknown {
  if (error instanceof HeliosError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return error;
  if (DISK_FULL.has(code)) return new HeliosError('disk_full', `No space left to write ${path} (${code})`, { path, code }, { cause: error });
  if (UNWRITABLE.has(code)) return new HeliosError('state_unwritable', `Cannot write ${path} (${code})`, { path, code }, { cause: error });
  return error;
}

/** Runs a write of state at `path`; its errno failures become `disk_full` / `state_unwritable`. */
export async function writingState<T>(path: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw storageError(error, path);
  }
}
