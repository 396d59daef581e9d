/** One server-sent event. */
export interface SseEvent {
  event: string | null
  data: string
}

/** An incremental SSE parser: feed it text as it arrives, take out whole events. */
export class SseParser {
  private buffer = ''

  feed(text: string): SseEvent[] {
    this.buffer += text
    const events: SseEvent[] = []
    for (;;) {
      const match = /\r?\n\r?\n/.exec(this.buffer)
      if (!match) break
      const block = this.buffer.slice(0, match.index)
      this.buffer = this.buffer.slice(match.index + match[0].length)
      const event = parseBlock(block)
      if (event) events.push(event)
    }
    return events
  }

  /** What is left unparsed (an incomplete event at the end of a cut stream). */
  get rest(): string {
    return this.buffer
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event: string | null = null
  const data: string[] = []
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  if (event === null && data.length === 0) return undefined
  return { event, data: data.join('\n') }
}
