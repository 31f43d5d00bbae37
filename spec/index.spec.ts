import { createChatClient, createChatServer } from '../src';

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
});
