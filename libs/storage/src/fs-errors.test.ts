import { ObjectConflictError, StorageError, TransientStorageError } from '@ledgerlake/domain';
import { errorCode, translateFsError } from './fs-errors';

function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: something, open '/lake/bronze/x'`), { code });
}

describe('translateFsError', () => {
  it.each(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN', 'EINTR'])('makes %s a TransientStorageError', (code) => {
    const error = translateFsError(systemError(code), 'write', '/lake/bronze/x');

    expect(error).toBeInstanceOf(TransientStorageError);
    expect(error.message).toMatch(new RegExp(`^fs-store: write /lake/bronze/x failed, may pass on retry \\(${code}\\)`));
    expect(error.cause).toBeInstanceOf(Error);
  });

  it.each(['EACCES', 'EPERM', 'EROFS'])('makes %s a StorageError naming the path', (code) => {
    const error = translateFsError(systemError(code), 'read', '/lake/silver/y');

    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toMatch(new RegExp(`^fs-store: read /lake/silver/y failed: permission denied \\(${code}\\)`));
  });

  it.each(['ENOSPC', 'EIO', 'EXDEV'])('makes %s a StorageError with its code', (code) => {
    const error = translateFsError(systemError(code), 'write', '/p');

    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toContain(`(${code})`);
  });

  it('passes storage errors through unchanged', () => {
    const conflict = new ObjectConflictError('b', 'k', 'exists');
    const transient = new TransientStorageError('x');

    expect(translateFsError(conflict, 'write', '/p')).toBe(conflict);
    expect(translateFsError(transient, 'write', '/p')).toBe(transient);
  });

  it('wraps something that is not an Error', () => {
    const error = translateFsError('boom', 'list', '/p');

    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toBe('fs-store: list /p failed (UNKNOWN): boom');
  });
});

describe('errorCode', () => {
  it('reads the code of a system error and is undefined otherwise', () => {
    expect(errorCode(systemError('ENOENT'))).toBe('ENOENT');
    expect(errorCode(new Error('x'))).toBeUndefined();
    expect(errorCode(undefined)).toBeUndefined();
    expect(errorCode({ code: 5 })).toBeUndefined();
  });
});
