import { describe, expect, it } from 'vitest'
import { renderTemplate, templateValues } from '../../src/sut/profile.js'

describe('SUT profile templates', () => {
  it('{{upstreams.*.provider}} lists each upstream’s provider family, in the order of {{upstreams.*.url}}', () => {
    const values = templateValues(4000, {
      primary: { url: 'http://127.0.0.1:1', port: 1, provider: 'openai' },
      claude: { url: 'http://127.0.0.1:2', port: 2, provider: 'anthropic' },
    })
    expect(renderTemplate('{{upstreams.*.url}}', values)).toBe('http://127.0.0.1:1,http://127.0.0.1:2')
    expect(renderTemplate('{{upstreams.*.provider}}', values)).toBe('openai,anthropic')
  })
})
