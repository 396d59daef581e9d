import type { SutProfile } from '../sut/profile.js'

/** Where a run's load goes: a running gateway (`--target`), one brownout starts (`--sut`), or the upstreams. */
export type SutMode =
  | { mode: 'target'; url: string }
  | { mode: 'sut'; profile: SutProfile; file: string }
  | { mode: 'direct' }
