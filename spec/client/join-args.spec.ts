import { hostAddress, serverPort } from '../../src/cli/validate';

describe('chat join argument checks', () => {
  it('accepts IP addresses and host names', () => {
    expect(hostAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(hostAddress(' localhost ')).toBe('localhost');
    expect(hostAddress('::1')).toBe('::1');
    expect(hostAddress('[::1]')).toBe('::1');
    expect(hostAddress('chat.example.org')).toBe('chat.example.org');
  });

  it.each(['', ' ', 'has space', 'bad_underscore', '-leading.dash', 'a..b', '127.0.0.1:53000', 'x'.repeat(64)])(
    'refuses %j as a host, saying what it needs',
    (value) => {
      expect(() => hostAddress(value)).toThrow(/--host must be an IP address or a host name/);
    },
  );

  it('names the thing being asked for in the message', () => {
    expect(() => hostAddress('no way', 'the address')).toThrow(/^the address must be/);
    expect(() => serverPort(0, 'the port')).toThrow(/^the port must be a whole number from 1 to 65535 \(got 0\)/);
  });

  it('accepts ports from 1 to 65535 only', () => {
    expect(serverPort(1)).toBe(1);
    expect(serverPort(65535)).toBe(65535);
    for (const bad of [0, -1, 65536, 1.5, Number.NaN]) expect(() => serverPort(bad)).toThrow(/--port must be a whole number from 1 to 65535/);
  });
});
