import { Observable } from 'rxjs';

/** What `socketBytes` needs of a socket: its events. A `net.Socket` or `tls.TLSSocket` fits. */
export interface ByteSource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'end' | 'close', listener: () => void): unknown;
}

/**
 * A socket's bytes as a stream, for `frameLines`: it completes when the peer ends or the socket
 * closes. `admit` sees each chunk first and may keep it out of the stream (the server holds input
 * back during a burst, and turns away a TLS handshake on its plain port).
 */
export function socketBytes(socket: ByteSource, admit: (chunk: Buffer) => boolean = () => true): Observable<Buffer> {
  return new Observable<Buffer>((subscriber) => {
    const onData = (chunk: Buffer) => {
      if (admit(chunk)) subscriber.next(chunk);
    };
    const onEnd = () => subscriber.complete();
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    return () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
  });
}
