import fs from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { checkTlsMaterial, type ChatTlsOptions } from '../server/index.js';
import { UsageError } from './flags.js';

/** A file named by a flag could not be used: exit 1 (the flag itself was well formed). */
export class FileError extends Error {
  readonly code = 'CHATPULSE_FILE';
}

export interface SecurityFlags {
  tlsCert: string;
  tlsKey: string;
  tlsPort: number;
  tlsMin: '1.3' | '1.2';
  token: string;
}

export interface SecurityOptions {
  tls?: ChatTlsOptions;
  tlsPort?: number;
  token?: string;
  /** Lines worth printing at start (certificate fingerprint, expiry warnings). */
  notes: string[];
}

/**
 * Turns the TLS and token flags into hub options, before anything listens. Flags that do not fit
 * together throw `UsageError` (exit 2); a certificate or key that cannot be read or used throws
 * `FileError` (exit 1). Either way one line names the problem and nothing has started.
 */
export function securityOptions(f: SecurityFlags, env: NodeJS.ProcessEnv = process.env): SecurityOptions {
  const token = f.token || env.CHATPULSE_TOKEN || '';
  if (token !== '' && !/^[\x21-\x7e]{16,256}$/.test(token)) {
    const from = f.token ? '--token' : 'CHATPULSE_TOKEN (from the environment)';
    throw new UsageError(`${from} expects 16 to 256 printable characters without spaces (or leave it out to have one generated)`);
  }
  const notes: string[] = [];
  const out: SecurityOptions = { notes, ...(token !== '' && { token }) };
  if (!f.tlsCert && !f.tlsKey) {
    if (f.tlsPort >= 0) throw new UsageError('--tls-port needs --tls-cert and --tls-key');
    if (f.tlsMin !== '1.3') throw new UsageError('--tls-min needs --tls-cert and --tls-key');
    return out;
  }
  if (!f.tlsCert) throw new UsageError('--tls-key needs --tls-cert');
  if (!f.tlsKey) throw new UsageError('--tls-cert needs --tls-key');
  const tls: ChatTlsOptions = {
    cert: readPem(f.tlsCert, '--tls-cert'),
    key: readPem(f.tlsKey, '--tls-key'),
    minVersion: f.tlsMin === '1.2' ? 'TLSv1.2' : 'TLSv1.3',
  };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(tls.cert);
  } catch (err) {
    throw new FileError(`--tls-cert ${f.tlsCert} is not a PEM certificate: ${reason(err)}`);
  }
  try {
    createPrivateKey(tls.key);
  } catch (err) {
    throw new FileError(`--tls-key ${f.tlsKey} is not an unencrypted PEM private key: ${reason(err)}`);
  }
  try {
    checkTlsMaterial(tls);
  } catch (err) {
    throw new FileError(`--tls-key ${f.tlsKey} does not fit --tls-cert ${f.tlsCert}: ${reason(err)}`);
  }
  notes.push(`TLS certificate ${x509.subject.replace(/\n/g, ', ')}; SHA-256 fingerprint ${x509.fingerprint256}`);
  if (Date.parse(x509.validTo) < Date.now()) notes.push(`warning: the TLS certificate expired on ${x509.validTo}; clients that verify it will refuse it`);
  out.tls = tls;
  if (f.tlsPort >= 0) out.tlsPort = f.tlsPort;
  return out;
}

function readPem(file: string, flagName: string): Buffer {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a folder' : e.message;
    throw new FileError(`cannot read ${flagName} ${file}: ${why}`);
  }
  if (!data.includes('-----BEGIN ')) throw new FileError(`${flagName} ${file} is not a PEM file (no -----BEGIN line)`);
  return data;
}

function reason(err: unknown): string {
  const e = err as Error & { reason?: string };
  return (e.reason ?? e.message ?? String(err)).split('\n')[0] ?? 'unknown error';
}
