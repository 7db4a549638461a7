/**
 * The embedded Messages + Message Batches + Models API emulator (server.ts):
 * the real SDK talks to it over HTTP on loopback, for the demo, --offline runs
 * and the tests.
 *
 * Models: GET /v1/models lists the known models (KNOWN_MODELS in
 * src/core/models.ts, plus `models` from the options), newest first; GET
 * /v1/models/{id} resolves an id or an alias. An unknown model is refused as
 * the API refuses it: 404 not_found_error (`model: <name>`) on retrieve,
 * Messages and count_tokens, before any work; inside a batch the create is
 * accepted and that request comes back `errored` (not_found_error), unbilled.
 *
 * Faults make it misbehave on purpose, deterministically. The plan comes from
 * `startEmulator({ faults })`, else the JSON in BATCHMATTER_EMULATOR_FAULTS,
 * and is checked strictly (a rule that could never fire is an error). Each
 * rule (FaultRule in faults.ts) fires for its first `times` matches, or for a
 * `rate` share of them (a hash of `seed` and the custom_id, so the same
 * custom_id always gets the same decision), or both; use counts persist in the
 * data file.
 *
 * - Per request (no `endpoint`; matched by `promptIncludes`/`customIdPattern`):
 *   `errored` (with `errorType`), `expired`, `canceled`, a bad answer (`text`),
 *   a cut one (`max_tokens`), a `refusal`. On the synchronous Messages endpoint `errored`
 *   and `http_error` answer an HTTP error; on create a 4xx `http_error`
 *   refuses the batch and a 5xx one is answered after storing it.
 * - HTTP errors on any call: `{ endpoint, outcome: 'http_error', status,
 *   retryAfter }` with endpoint create | retrieve | list | results | cancel |
 *   delete | messages | count_tokens | models_list | models_retrieve. The
 *   body is the API's `{type: 'error', error: {type, message}, request_id}`;
 *   `retryAfter` seconds go out as `retry-after` (else `retry-after-ms: 20`).
 *   Refused before any work, except a create with `accepted: true`: the batch
 *   is stored, then the error sent.
 * - A lost answer: `{ endpoint, outcome: 'disconnect' }` does the call's work,
 *   then destroys the connection without a response. On create the batch
 *   exists but the client sees a connection error; on messages the answer is
 *   billed but never arrives.
 * - A results stream cut mid-way: `{ endpoint: 'results', outcome:
 *   'disconnect', afterLines: N, times: 1 }` sends the headers and N lines,
 *   then drops the connection (the SDK's reader throws `terminated`).
 * - Results that expire: `resultsRetentionMs` (option, or in the plan) makes
 *   GET results 404 not_found_error that long after the batch ended, while
 *   retrieve and list still show it (the API's rule, 29 days after creation,
 *   applies otherwise).
 * - Slow batches: `batchDurationMs` (option, else BATCHMATTER_EMULATOR_BATCH_MS,
 *   else 1500 ms) from create to end.
 *
 * The ledger lists every billed request — a batch request that succeeded (when
 * its batch ends), a Messages call that was answered — with its custom_id,
 * kind, batch id and a digest of its params: `emulator.ledger()`, GET
 * /_emulator/ledger (loopback clients only, no key), and the data file.
 */
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server.js';
export { respond } from './model.js';
export type { AppliedFault, Endpoint, FaultOutcome, FaultPlan, FaultRule } from './faults.js';
export type { LedgerEntry } from './ledger.js';
export type { CreateLogEntry, EmulatorData } from './store.js';
