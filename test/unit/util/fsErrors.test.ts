import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../../../src/core/util/errors';
import { fileSystemUserError, userFacingError } from '../../../src/core/util/fsErrors';

function errno(code: string, syscall: string, file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${file}'`), { code, syscall, path: file, errno: -1 });
}

describe('file-system errors as user errors (issue 12, item 10)', () => {
  it('maps a full disk, a read-only file system and a permission problem to a UserError naming the path and what to do', () => {
    const full = fileSystemUserError(errno('ENOSPC', 'write', '/p/.mlloop/store.sqlite'));
    assert.ok(full instanceof UserError);
    assert.equal(full.message, 'No space left on the disk: could not write /p/.mlloop/store.sqlite. Free some space (or move the project to a disk with room) and run the command again; nothing half-written is kept.');
    assert.deepEqual(full.location, { file: '/p/.mlloop/store.sqlite' });
    assert.match(fileSystemUserError(errno('EROFS', 'open', '/p/.mlloop'))?.message ?? '', /^\/p\/\.mlloop is on a read-only file system\. .* make it writable/);
    assert.match(fileSystemUserError(errno('EACCES', 'open', '/p/mlloop.yaml'))?.message ?? '', /^Permission denied: could not open \/p\/mlloop\.yaml\. Check its owner and permissions/);
    assert.match(fileSystemUserError(errno('EISDIR', 'read', '/p/data'))?.message ?? '', /^\/p\/data is a folder where ML Loop expects a file/);
    assert.match(fileSystemUserError(errno('ELOOP', 'stat', '/p/l1'))?.message ?? '', /loop of symbolic links/);
  });

  it('names .mlloop when it is a file where the store folder belongs (EEXIST and ENOTDIR)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-fserr-'));
    const blocker = path.join(dir, '.mlloop');
    fs.writeFileSync(blocker, 'not a folder');
    try {
      for (const e of [errno('EEXIST', 'mkdir', blocker), errno('ENOTDIR', 'open', path.join(blocker, 'store.sqlite'))]) {
        const mapped = fileSystemUserError(e);
        assert.equal(mapped?.message, `${blocker} is a file where ML Loop needs a folder (it keeps the store, models and reports in .mlloop/ beside mlloop.yaml): move or rename that file, then run the command again.`);
        assert.deepEqual(mapped?.location, { file: blocker });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves bugs alone and passes user errors through', () => {
    const bug = new TypeError('x is undefined');
    assert.equal(userFacingError(bug), bug);
    const user = new UserError('bad');
    assert.equal(userFacingError(user), user);
    assert.equal(fileSystemUserError(new Error('plain')), undefined);
    assert.ok(userFacingError(new RangeError('Array buffer allocation failed')) instanceof UserError);
  });
});
