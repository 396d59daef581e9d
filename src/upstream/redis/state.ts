import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { BrownoutError } from '../../errors.js'
import { type Rule, rulesSchema } from '../../faults/rules.js'
import type { Journal } from '../journal.js'
import { NOMINAL_RPM, NOMINAL_TPM } from '../limits.js'
import type {
  Arrival,
  JournalView,
  LimitsSnapshot,
  SharedState,
  SharedStateFactory,
  SharedStateInit,
  Ticket,
} from '../shared-state.js'
import { ARRIVE_LUA, LIMITS_LUA } from './bucket-lua.js'
import { RedisCapacity } from './capacity.js'
import { connectRedis, type RedisScript, redisScript } from './connect.js'
import { RedisJournal } from './journal.js'
import { type RedisKeys, redisKeys } from './keys.js'
import {
  APPEND_LUA,
  CAPACITY_ENTER_LUA,
  CAPACITY_LEAVE_LUA,
  CAPACITY_PROMOTE_LUA,
  JOIN_LUA,
  RESET_LUA,
  RULES_LUA,
} from './state-lua.js'
import { arriveArgs, limitsFromReply, ticketFromReply } from './ticket.js'
import { checkRunId, redactUrl } from './url.js'

export interface RedisStateOptions {
  /** `redis://host:port[/db]` (Redis or Valkey). */
  url: string
  /** The scope of every key: replicas of one run share it, another run on the same Redis uses another. */
  runId: string
  /** Every key expires this long after its last write (ms). */
  ttlMs: number
}

/** What replicas tell each other on the upstream's channel. */
type Message =
  | { kind: 'release' }
  | { kind: 'rules'; from: string; rules: unknown }
  | { kind: 'reset'; from: string; startedAt: number }

/** The shared state of an upstream kept in Redis: `serve --state redis://…` replicas act as one upstream. */
export function redisState(options: RedisStateOptions): SharedStateFactory {
  checkRunId(options.runId)
  return async (init) => {
    const client = await connectRedis(options.url)
    const subscriber = client.duplicate()
    subscriber.on('error', () => {
      // Reconnects by itself; commands on `client` report what is wrong.
    })
    try {
      const state = new RedisState(options, init, client, subscriber)
      await state.join(init)
      return state
    } catch (err) {
      subscriber.disconnect()
      client.disconnect()
      if (err instanceof BrownoutError) throw err
      throw new BrownoutError('STATE_UNAVAILABLE', `Redis at ${redactUrl(options.url)} refused to join the run`, {
        cause: err,
        hint: `${err instanceof Error ? err.message : String(err)}; brownout needs Redis 6.2+ or Valkey (Lua scripts, streams)`,
      })
    }
  }
}

/**
 * Arrival order, attempt counts, RPM/TPM buckets and the overload model's slots are Lua scripts on keys scoped to
 * the run (`brownout:{<run-id>}:<upstream>:…`, each with a TTL refreshed on write), one round trip per arrival.
 * Rule changes and resets are written, then published to every replica; the first replica to join sets the rules
 * and the clock origin, the others adopt them. Ended journal entries go to one stream that every replica reads.
 */
export class RedisState implements SharedState {
  readonly capacity: RedisCapacity | undefined
  private readonly keys: RedisKeys
  private readonly id = randomUUID()
  private current: Rule[] = []
  private startedAt = 0
  private readonly ruleListeners: Array<(rules: readonly Rule[]) => void> = []
  private readonly startListeners: Array<(startedAt: number) => void> = []
  private readonly arriveScript: RedisScript
  private readonly limitsScript: RedisScript
  private readonly rulesScript: RedisScript
  private readonly resetScript: RedisScript
  private readonly journalStore: RedisJournal
  private local: { journal: Journal; unwatch: () => void } | undefined

  constructor(
    private readonly options: RedisStateOptions,
    private readonly init: SharedStateInit,
    private readonly client: Redis,
    private readonly subscriber: Redis,
  ) {
    this.keys = redisKeys(options.runId, init.name)
    const script = (lua: string) => redisScript(client, lua, options.url)
    this.arriveScript = script(ARRIVE_LUA)
    this.limitsScript = script(LIMITS_LUA)
    this.rulesScript = script(RULES_LUA)
    this.resetScript = script(RESET_LUA)
    const append = script(APPEND_LUA)
    this.journalStore = new RedisJournal(client, this.keys, init.journalCapacity, options.ttlMs, append)
    const scripts = {
      enter: script(CAPACITY_ENTER_LUA),
      promote: script(CAPACITY_PROMOTE_LUA),
      leave: script(CAPACITY_LEAVE_LUA),
    }
    this.capacity = init.capacity
      ? new RedisCapacity(init.capacity, this.keys.capacity, this.keys.channel, options.ttlMs, scripts, init.clock)
      : undefined
  }

  /**
   * Subscribes to the upstream's channel, then adopts (or sets, when first) the rules and the clock origin; again
   * whenever the subscription comes back after a lost connection, when messages may have been missed.
   */
  async join(init: SharedStateInit): Promise<void> {
    const join = redisScript(this.client, JOIN_LUA, this.options.url)
    const args = [JSON.stringify(init.rules), Math.round(init.startedAt), this.options.ttlMs]
    const adopt = async () => this.adopt((await join([this.keys.rules, this.keys.started], args)) as [string, string])
    this.subscriber.on('message', (_channel: string, message: string) => this.received(message))
    await this.subscriber.subscribe(this.keys.channel)
    await adopt()
    this.subscriber.on('ready', () => {
      adopt().catch(() => {
        // Redis gone again: the next reconnection tries again.
      })
    })
  }

  private adopt([json, startedAt]: [string, string]): void {
    const rules = rulesSchema.safeParse(JSON.parse(json))
    if (!rules.success)
      throw new BrownoutError('INVALID_CONFIG', `the fault rules stored for run "${this.options.runId}" do not parse`, {
        hint: `another brownout version wrote them; use another --run-id, or delete the key ${this.keys.rules}`,
      })
    if (JSON.stringify(rules.data) !== JSON.stringify(this.current)) this.apply(rules.data)
    if (Number(startedAt) !== this.startedAt) this.moveStart(Number(startedAt))
  }

  private received(raw: string): void {
    let message: Message
    try {
      message = JSON.parse(raw) as Message
    } catch {
      return
    }
    if (message.kind === 'release') this.capacity?.released()
    else if (message.from === this.id) return
    else if (message.kind === 'rules') {
      const rules = rulesSchema.safeParse(message.rules)
      if (rules.success) this.apply(rules.data)
    } else if (message.kind === 'reset') {
      this.journalStore.drop()
      this.local?.journal.clear()
      this.moveStart(message.startedAt)
    }
  }

  async arrive(arrival: Arrival): Promise<Ticket> {
    const k = this.keys
    const reply = await this.arriveScript(
      [k.seq, k.anon, k.runAttempts, k.attempts, k.rpm, k.tpm],
      arriveArgs(arrival, this.init.limits, this.options.ttlMs),
    )
    return ticketFromReply(reply as Array<number | string>, arrival, this.init.name, this.init.limits)
  }

  async limits(): Promise<LimitsSnapshot> {
    const { rpm, tpm } = this.init.limits
    const reply = await this.limitsScript([this.keys.rpm, this.keys.tpm], [rpm ?? NOMINAL_RPM, tpm ?? NOMINAL_TPM])
    return limitsFromReply((reply as number[]).map(Number), this.init.limits)
  }

  rules(): Rule[] {
    return [...this.current]
  }

  private apply(rules: readonly Rule[]): void {
    this.current = [...rules]
    for (const listener of this.ruleListeners) listener(this.current)
  }

  /** Writes the rules and a new version, and publishes them: other replicas replace theirs within milliseconds. */
  async replaceRules(rules: readonly Rule[]): Promise<void> {
    const message: Message = { kind: 'rules', from: this.id, rules }
    await this.rulesScript(
      [this.keys.rules],
      [JSON.stringify(rules), this.keys.channel, JSON.stringify(message), this.options.ttlMs],
    )
    this.apply(rules)
  }

  onRules(listener: (rules: readonly Rule[]) => void): void {
    this.ruleListeners.push(listener)
  }

  onStart(listener: (startedAt: number) => void): void {
    this.startListeners.push(listener)
    listener(this.startedAt)
  }

  private moveStart(startedAt: number): void {
    this.startedAt = startedAt
    for (const listener of this.startListeners) listener(startedAt)
  }

  /** Reads every replica's ended entries from Redis; this replica's own are sent there as they end. */
  journal(local: Journal): JournalView {
    if (this.local?.journal !== local) {
      this.local?.unwatch()
      this.local = { journal: local, unwatch: this.journalStore.watch(local) }
    }
    return this.journalStore.view(local)
  }

  async reset(): Promise<void> {
    const k = this.keys
    const startedAt = Math.round(this.init.clock.now())
    const message: Message = { kind: 'reset', from: this.id, startedAt }
    this.journalStore.drop()
    await this.resetScript(
      [k.runAttempts, k.attempts, k.rpm, k.tpm, k.journal, k.journalTotal, k.started],
      [startedAt, k.channel, JSON.stringify(message), this.options.ttlMs],
    )
    this.moveStart(startedAt)
  }

  async close(): Promise<void> {
    this.local?.unwatch()
    await this.journalStore.flush()
    this.subscriber.disconnect()
    await this.client.quit().catch(() => this.client.disconnect())
  }
}
