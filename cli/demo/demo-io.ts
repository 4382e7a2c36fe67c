/**
 * The streams and environment a demo run writes to, injected so tests can capture them. Its own module
 * because both `run-demo.ts` and `end-demo.ts` take it, and run-demo imports end-demo.
 */
export interface DemoIo {
  out: NodeJS.WriteStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}
