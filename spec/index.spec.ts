import { readFileSync } from 'fs';
import { join } from 'path';
import * as entry from '../src';
import { createChatClient, createChatServer } from '../src';

const ROOT = join(__dirname, '..');

describe('the package entry point', () => {
  it('lets a program run a server and talk to it', async () => {
    const server = createChatServer({ port: 0 });
    const { port } = await server.listen();
    const client = createChatClient({ host: '127.0.0.1', port });
    try {
      await client.connect();
      const welcome = await client.register('program');
      expect(welcome).toMatchObject({ type: 'welcome', name: 'program', room: '#lobby' });
      expect(server.stats().users).toBe(1);
    } finally {
      await client.quit();
      await server.close();
    }
  });

  it('exports every function docs/CLIENT.md tells bot writers to import from the package', () => {
    const { name } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string };
    const doc = readFileSync(join(ROOT, 'docs/CLIENT.md'), 'utf8');
    const imported = [...doc.matchAll(new RegExp(`import \\{([^}]*)\\} from '${name}'`, 'g'))].flatMap((match) =>
      match[1].split(',').map((part) => part.trim()),
    );
    expect(imported).toEqual(expect.arrayContaining(['createChatClient', 'displayText', 'readCaFile']));
    // The functions the docs name in words, as exported by the package.
    const named = ['createChatClient', 'createChatServer', 'displayText', 'readCaFile', 'isUntrustedCertificate', 'roomKey'];
    const exported = entry as unknown as Record<string, unknown>;
    for (const fn of [...imported, ...named]) expect([fn, typeof exported[fn]]).toEqual([fn, 'function']);
    expect(entry.displayText('a\u001b[31mb')).toBe('a\u241b[31mb');
    expect(entry.roomKey('#Dev')).toBe(entry.roomKey('#dev'));
  });
});
