/**
 * One read of a file with its modification time, through the open file: open, fstat, read and
 * close, four round trips through libuv's thread pool where `lstat` then `readFile` took five.
 */
import { close, constants, fstat, open, read } from 'node:fs';

export interface FileWithMtime {
  readonly data: Buffer;
  /** Modification time of the file read, ms since the epoch (fractional). */
  readonly mtimeMs: number;
}

/**
 * The bytes of the file at `path` and its mtime, both of the one file opened (a rename over it
 * meanwhile changes neither). The last path component is not followed: a symbolic link rejects
 * with ELOOP, so a caller that needs the link's own mtime (`lstat`) can read it its own way.
 * Rejects with the file system's error otherwise (ENOENT, ENOTDIR, EISDIR, EACCES...).
 */
export function readFileWithMtime(path: string): Promise<FileWithMtime> {
  return new Promise((resolve, reject) => {
    open(path, constants.O_RDONLY | constants.O_NOFOLLOW, (openError, fd) => {
      if (openError !== null) {
        reject(openError);
        return;
      }
      const finish = (error: Error | null, file?: FileWithMtime): void => {
        close(fd, (closeError) => {
          const failure = error ?? closeError;
          if (failure !== null) reject(failure);
          else resolve(file as FileWithMtime);
        });
      };
      fstat(fd, (statError, stats) => {
        if (statError !== null) {
          finish(statError);
          return;
        }
        // a buffer of its own, not a slice of Buffer's shared pool (readFile does the same)
        const data = Buffer.allocUnsafeSlow(stats.size);
        readInto(fd, data, 0, (readError, filled) => {
          finish(readError, {
            data: filled === data.length ? data : data.subarray(0, filled),
            mtimeMs: stats.mtimeMs,
          });
        });
      });
    });
  });
}

/** Reads from `offset` until `data` is full or the file ends; calls back with the bytes filled. */
function readInto(
  fd: number,
  data: Buffer,
  offset: number,
  done: (error: Error | null, filled: number) => void,
): void {
  if (offset === data.length) {
    done(null, offset);
    return;
  }
  read(fd, data, offset, data.length - offset, offset, (error, bytesRead) => {
    if (error !== null) done(error, offset);
    else if (bytesRead === 0) done(null, offset);
    else readInto(fd, data, offset + bytesRead, done);
  });
}
