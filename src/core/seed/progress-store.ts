/**
 * The resumable progress file (our own JSON format, not MapProxy's): per task id the walk
 * position before which everything is done, or `done`. Written atomically.
 */
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../util/index.js';
import { SeedError } from './errors.js';
import type { ProgressPath } from './walk.js';

interface TaskProgress {
  readonly done: boolean;
  readonly path: ProgressPath;
}

interface ProgressFile {
  readonly format: 'mapproxy-ts-seed-progress';
  readonly version: 1;
  readonly tasks: Record<string, TaskProgress>;
}

export class ProgressStore {
  readonly file: string;
  readonly #tasks: Record<string, TaskProgress>;

  private constructor(file: string, tasks: Record<string, TaskProgress>) {
    this.file = file;
    this.#tasks = tasks;
  }

  /**
   * Opens `file`; with `resume` its recorded positions are used, otherwise it starts empty.
   * Rejects with `SeedError` (`SEED_PROGRESS_FILE`) for a file that is not ours.
   */
  static async open(file: string, resume: boolean): Promise<ProgressStore> {
    if (!resume) return new ProgressStore(file, {});
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return new ProgressStore(file, {});
    }
    try {
      const parsed = JSON.parse(text) as Partial<Record<keyof ProgressFile, unknown>>;
      if (parsed.format !== 'mapproxy-ts-seed-progress') throw new Error('unknown format');
      return new ProgressStore(file, { ...(parsed.tasks as Record<string, TaskProgress>) });
    } catch (error) {
      throw new SeedError(`${file} is not a mapproxy-ts seed progress file`, 'SEED_PROGRESS_FILE', {
        cause: error,
      });
    }
  }

  /** The recorded position of a task, null when it has none. */
  position(taskId: string): ProgressPath | null {
    return this.#tasks[taskId]?.path ?? null;
  }

  isDone(taskId: string): boolean {
    return this.#tasks[taskId]?.done === true;
  }

  set(taskId: string, path: ProgressPath, done = false): void {
    this.#tasks[taskId] = { done, path };
  }

  /** Writes the file (temp file + rename: a crash leaves the old or the new version). */
  async write(): Promise<void> {
    const content: ProgressFile = { format: 'mapproxy-ts-seed-progress', version: 1, tasks: this.#tasks };
    await writeFileAtomic(this.file, Buffer.from(JSON.stringify(content)));
  }

  /** Removes the file after a complete run (as MapProxy does). */
  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
