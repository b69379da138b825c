/**
 * How a long-running benchmark (live-fanout.ts, soak.ts) runs as a script: its configuration first,
 * then `main` bounded by a watchdog and by signals, and whatever it started stopped before the
 * process exits, whether `main` finished, failed or was cut short.
 */

/** `load()`'s configuration; when it throws a `ConfigError`, its message and exit code 2. */
export function loadConfigOrExit<T>(load: () => T, ConfigError: new (...args: never[]) => Error): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

/** The signals a run may stop on, with what is logged and the exit code. */
const SIGNALS = {
  SIGINT: { reason: 'interrupted', code: 130 },
  SIGTERM: { reason: 'terminated', code: 143 },
} as const;

export interface BenchRunOptions {
  log: (message: string) => void;
  /** Stops everything started so far and not yet stopped. */
  cleanUp: () => Promise<void>;
  timeoutMs: number;
  /** Logged, followed by "; stopping everything", when the run outlasts `timeoutMs` (exit code 1). */
  timeoutReason: string;
  signals: (keyof typeof SIGNALS)[];
}

export class BenchRun {
  /** Set once the run is being cut short: what fails after that is the cleanup's doing, not news. */
  isAborting = false;
  private readonly options: BenchRunOptions;

  constructor(options: BenchRunOptions) {
    this.options = options;
  }

  /** Cleans up and exits with `code`, whatever `main` is still doing; only the first call counts. */
  abort(reason: string, code: number): void {
    if (this.isAborting) return;
    this.isAborting = true;
    this.options.log(`${reason}; stopping everything`);
    void this.options.cleanUp().finally(() => process.exit(code));
  }

  /**
   * Runs `main`, which resolves with the exit code, under the watchdog and the signals; an error
   * it throws is printed (unless the run is being aborted) and exits 1. Cleans up, then exits.
   */
  start(main: () => Promise<number>): void {
    const { timeoutMs, timeoutReason, signals, cleanUp } = this.options;
    const watchdog = setTimeout(() => this.abort(timeoutReason, 1), timeoutMs);
    for (const signal of signals) process.once(signal, () => this.abort(SIGNALS[signal].reason, SIGNALS[signal].code));
    main()
      .then(
        (code) => code,
        (error: unknown) => {
          if (!this.isAborting) console.error(error);
          return 1;
        },
      )
      .then(async (code) => {
        if (this.isAborting) return;
        clearTimeout(watchdog);
        await cleanUp();
        process.exit(code);
      });
  }
}
