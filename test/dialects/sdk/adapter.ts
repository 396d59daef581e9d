/** Calls an API once through its official SDK, as the dialect contract suite needs it. */
export interface SdkAdapter {
  /** A model the API takes (the upstream serves every model when none is configured). */
  model: string
  /**
   * One call with no retries: `baseURL` from the dialect's `client.sdkBaseUrl`, `headers` sent on the request.
   * Resolves with the text received (null for an API without text); rejects with the SDK's own error.
   */
  call(o: { baseURL: string; stream: boolean; headers: Record<string, string>; prompt: string }): Promise<string | null>
  /** The error class the SDK raises for a status (the most specific one it has). */
  errorClassFor(status: number): abstract new (...args: never[]) => Error
}
