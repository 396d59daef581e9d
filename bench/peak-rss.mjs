// Preloaded into a brownout process (node --import bench/peak-rss.mjs …) by the memory bench: when the process
// exits, writes its peak resident memory (from the kernel) and the highest heap and external memory sampled each
// 250 ms, as JSON, to the file named by BROWNOUT_PEAK_FILE.
import { writeFileSync } from 'node:fs'

const file = process.env.BROWNOUT_PEAK_FILE
if (file) {
  const peak = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 }
  const sample = () => {
    const m = process.memoryUsage()
    for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], m[key])
  }
  setInterval(sample, 250).unref()
  process.on('exit', () => {
    sample()
    const mib = (b) => Math.round((b / 2 ** 20) * 10) / 10
    writeFileSync(
      file,
      JSON.stringify({
        peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
        peakHeapUsedMiB: mib(peak.heapUsed),
        peakHeapTotalMiB: mib(peak.heapTotal),
        peakExternalMiB: mib(peak.external),
        peakArrayBuffersMiB: mib(peak.arrayBuffers),
      }),
    )
  })
}
