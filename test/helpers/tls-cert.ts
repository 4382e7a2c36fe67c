import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findTool } from './require-tool.js';

export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

/**
 * A throwaway self-signed certificate for `localhost` / 127.0.0.1 (P-256, valid one day), made by
 * openssl in `dir` at test time. Undefined (after a SKIP line) when openssl is missing outside CI.
 */
export function makeTestCert(dir: string, name = 'localhost'): TestCert | undefined {
  const openssl = findTool('openssl', 'openssl');
  if (openssl === undefined) return undefined;
  const certFile = path.join(dir, `${name}-cert.pem`);
  const keyFile = path.join(dir, `${name}-key.pem`);
  execFileSync(openssl, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certFile, keyFile, cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
}
