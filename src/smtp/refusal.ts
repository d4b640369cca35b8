import { SmtpReject } from '../shared/errors.js';
import { smtpRefusals } from '../shared/metrics.js';

/** An Error smtp-server answers with: basic code, then the enhanced code and a sentence. */
export function toSmtpError(reject: SmtpReject): Error & { responseCode: number } {
  smtpRefusals.inc({ code: `${reject.responseCode} ${reject.enhanced}` });
  const err = new Error(`${reject.enhanced} ${reject.message}`) as Error & { responseCode: number };
  err.responseCode = reject.responseCode;
  return err;
}

export const reject = (code: number, enhanced: string, text: string) => new SmtpReject(code, enhanced, text);

/** Runs an async session hook and answers smtp-server's callback; unexpected errors become 451 4.3.0 (logged by the caller). */
export function hook<A extends unknown[]>(
  fn: (...args: A) => Promise<void>,
  onUnexpected: (err: unknown) => void,
): (...args: [...A, (err?: Error | null) => void]) => void {
  return (...args) => {
    const callback = args.pop() as (err?: Error | null) => void;
    fn(...(args as unknown as A)).then(
      () => callback(),
      (err: unknown) => {
        if (err instanceof SmtpReject) return callback(toSmtpError(err));
        onUnexpected(err);
        callback(toSmtpError(reject(451, '4.3.0', 'a temporary problem on this server; please try again later')));
      },
    );
  };
}
