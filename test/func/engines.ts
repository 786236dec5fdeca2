/**
 * Backends under test. Each entry makes an engine; the shared suite (backends.test.ts) runs every
 * case against the reference with each. GPU entries skip when no adapter is found, unless
 * ARCHSIM_REQUIRE_GPU=1, which turns the skip into a failure (CI sets it).
 */
import type { Engine } from '../../src/func/types.ts';

export interface EngineEntry {
  name: string;
  /** returns null when the backend is unavailable on this machine (GPU without adapter) */
  make: () => Promise<Engine | null>;
}

export const ENGINES: EngineEntry[] = [];
