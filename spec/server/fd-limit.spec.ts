import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { effectiveMaxConnections, openFileLimit, RESERVED_FILE_DESCRIPTORS } from '../../src/cli/fd-limit';

describe('the connection cap and the open-file limit', () => {
  it('keeps the requested cap when the descriptor limit allows it', () => {
    expect(effectiveMaxConnections(100, 20_000)).toEqual({ max: 100 });
    expect(effectiveMaxConnections(100, undefined)).toEqual({ max: 100 });
  });

  it('lowers the cap below the descriptor limit, and says why', () => {
    const { max, warning } = effectiveMaxConnections(10_000, 1024);
    expect(max).toBe(1024 - RESERVED_FILE_DESCRIPTORS);
    expect(warning).toContain("raise the limit with 'ulimit -n'");
  });

  it('reads the soft limit from a limits file, and gives up quietly when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-limits-'));
    try {
      const file = join(dir, 'limits');
      writeFileSync(file, 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 4096                 files\n');
      expect(openFileLimit(file)).toBe(1024);
      writeFileSync(file, 'Max open files            unlimited            unlimited            files\n');
      expect(openFileLimit(file)).toBeUndefined();
      expect(openFileLimit(join(dir, 'missing'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
