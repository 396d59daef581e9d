import { loadYamlFile } from '../config/load-yaml.js'
import { unknownPhases } from '../faults/rules.js'
import { type UpstreamConfig, upstreamConfigSchema } from './config.js'

/**
 * Loads an upstream block from YAML (`brownout serve --config`): the same block as a scenario's
 * `upstreams.<name>`. Every problem is reported at once, as file:line:col. `serve` has no phases, so a
 * `during` that names one is an error there.
 */
export function loadUpstreamConfig(file: string): { config: UpstreamConfig; portGiven: boolean } {
  let portGiven = false
  const config = loadYamlFile(file, upstreamConfigSchema, (value, doc) => {
    portGiven = typeof (doc.value as { port?: unknown } | null)?.port === 'number'
    return unknownPhases(value.faults, []).map((p) => ({
      file,
      ...doc.locate(['faults', ...p.path]),
      message: `faults.${p.path.join('.')}: ${p.message}`,
    }))
  })
  return { config, portGiven }
}
