import { X509Certificate } from 'crypto';
import { readFileSync, statSync } from 'fs';
import { MAX_CA_FILE_BYTES } from './limits';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Reads the certificates to trust for a TLS connection (`chat join --ca FILE`, the bots' `--ca`): the
 * server's own self-signed certificate, or the CA that signed it, in PEM. Throws an Error whose message
 * says plainly what is wrong: the file cannot be read, or holds no certificate, or a broken one.
 * Checked here because Node's TLS silently ignores a `ca` that is not PEM, and the connection would
 * then fail with a misleading "not trusted".
 */
export function readCaFile(path: string): Buffer {
  const where = `the CA file ${JSON.stringify(path)}`;
  let pem: Buffer;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    // A device or a FIFO could be read forever; a certificate bundle is a small regular file.
    if (!stat.isFile()) throw Object.assign(new Error('it is not a regular file'), { code: 'ENOTFILE' });
    if (stat.size > MAX_CA_FILE_BYTES) throw Object.assign(new Error(`it is larger than ${MAX_CA_FILE_BYTES} bytes`), { code: 'EFBIG' });
    pem = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${where}: ${describeFileError(err as NodeJS.ErrnoException)}`, { cause: err });
  }
  const blocks = pem.toString('utf8').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error(`${where} holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)`);
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new Error(`${where} holds a broken certificate (number ${index + 1}): ${(err as Error).message}`, { cause: err });
    }
  }
  return pem;
}

function describeFileError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return err.message;
  }
}
