import { describe, expect, it } from 'vitest'
import { matchPath, matchQuery, parseQuery } from '../../src/dialects/route.js'

describe('route patterns', () => {
  it('match a literal path exactly', () => {
    expect(matchPath('/v1/chat/completions', '/v1/chat/completions')).toEqual({})
    expect(matchPath('/v1/chat/completions', '/v1/chat/completions/x')).toBeUndefined()
  })

  it('capture a parameter up to the colon Google puts before the method', () => {
    const pattern = '/v1beta/models/{model}:streamGenerateContent'
    expect(matchPath(pattern, '/v1beta/models/gemini-2.5-flash:streamGenerateContent')).toEqual({
      model: 'gemini-2.5-flash',
    })
    expect(matchPath(pattern, '/v1beta/models/gemini-2.5-flash:generateContent')).toBeUndefined()
    expect(matchPath(pattern, '/v1beta/models/a/b:streamGenerateContent')).toBeUndefined()
  })

  it('decode a captured parameter', () => {
    expect(
      matchPath('/openai/deployments/{deployment}/chat/completions', '/openai/deployments/my%20dep/chat/completions'),
    ).toEqual({ deployment: 'my dep' })
  })

  it('require query parameters by value or by presence', () => {
    const query = parseQuery('/v1beta/models/m:streamGenerateContent?alt=sse&key=x&alt=json')
    expect(query).toEqual({ alt: 'sse', key: 'x' })
    expect(matchQuery({ alt: 'sse' }, query)).toBe(true)
    expect(matchQuery({ alt: 'json' }, query)).toBe(false)
    expect(matchQuery({ 'api-version': true }, parseQuery('/x?api-version=2024-10-21'))).toBe(true)
    expect(matchQuery({ 'api-version': true }, parseQuery('/x'))).toBe(false)
  })
})
